package org.mailroom.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mailroom.api.spool.Spool;

@Command(
        scope = "mail",
        name = "queue-retry",
        description =
                "Makes the waiting and failed recipients of a queued message (without an id: of every message) due now")
@Service
public class QueueRetryCommand implements Action {

    @Reference(optional = true)
    Spool spool;

    @Argument(index = 0, name = "id", required = false, description = "Queue id; omitted: every queued message")
    String id;

    @Override
    public Object execute() throws Exception {
        System.out.println(MailCommands.queueRetry(spool, id));
        return null;
    }
}
