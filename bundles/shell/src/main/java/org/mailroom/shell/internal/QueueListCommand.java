package org.mailroom.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mailroom.api.spool.Spool;

@Command(
        scope = "mail",
        name = "queue-list",
        description = "Lists the messages in the spool with the state of each recipient")
@Service
public class QueueListCommand implements Action {

    @Reference(optional = true)
    Spool spool;

    @Override
    public Object execute() throws Exception {
        System.out.println(MailCommands.queueList(spool));
        return null;
    }
}
