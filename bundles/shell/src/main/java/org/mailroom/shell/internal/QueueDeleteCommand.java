package org.mailroom.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mailroom.api.spool.Spool;

@Command(
        scope = "mail",
        name = "queue-delete",
        description = "Removes a message from the spool; recipients that do not have it yet never get it")
@Service
public class QueueDeleteCommand implements Action {

    @Reference(optional = true)
    Spool spool;

    @Argument(index = 0, name = "id", required = true, description = "Queue id (as mail:queue-list shows it)")
    String id;

    @Override
    public Object execute() throws Exception {
        System.out.println(MailCommands.queueDelete(spool, id));
        return null;
    }
}
