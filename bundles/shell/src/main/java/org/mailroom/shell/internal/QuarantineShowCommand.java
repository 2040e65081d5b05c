package org.mailroom.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mailroom.api.filter.Quarantine;

@Command(
        scope = "mail",
        name = "quarantine-show",
        description = "Shows a held message: envelope, filter, reason and headers (--full: the whole message)")
@Service
public class QuarantineShowCommand implements Action {

    @Reference(optional = true)
    Quarantine quarantine;

    @Option(name = "--full", aliases = "-f", description = "Shows the whole message, not only its headers")
    boolean full;

    @Argument(index = 0, name = "id", required = true, description = "Id (as mail:quarantine-list shows it)")
    String id;

    @Override
    public Object execute() throws Exception {
        MailCommands.quarantineShow(quarantine, id, full, System.out);
        System.out.flush();
        return null;
    }
}
