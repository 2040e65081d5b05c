package org.mailroom.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mailroom.api.filter.Quarantine;

@Command(
        scope = "mail",
        name = "quarantine-release",
        description = "Delivers a held message into its mailbox as it is (no filter sees it again)")
@Service
public class QuarantineReleaseCommand implements Action {

    @Reference(optional = true)
    Quarantine quarantine;

    @Argument(index = 0, name = "id", required = true, description = "Id (as mail:quarantine-list shows it)")
    String id;

    @Override
    public Object execute() throws Exception {
        System.out.println(MailCommands.quarantineRelease(quarantine, id));
        return null;
    }
}
