package org.mailroom.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mailroom.api.filter.Quarantine;

@Command(
        scope = "mail",
        name = "quarantine-list",
        description = "Lists the messages content filters put in the quarantine, with the filter and its reason")
@Service
public class QuarantineListCommand implements Action {

    @Reference(optional = true)
    Quarantine quarantine;

    @Override
    public Object execute() throws Exception {
        System.out.println(MailCommands.quarantineList(quarantine));
        return null;
    }
}
