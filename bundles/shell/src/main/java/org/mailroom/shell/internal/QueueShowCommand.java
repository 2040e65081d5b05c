package org.mailroom.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mailroom.api.spool.Spool;

@Command(
        scope = "mail",
        name = "queue-show",
        description = "Shows a queued message: envelope, recipient states and headers (--full: the whole message)")
@Service
public class QueueShowCommand implements Action {

    @Reference(optional = true)
    Spool spool;

    @Option(name = "--full", aliases = "-f", description = "Shows the whole message, not only its headers")
    boolean full;

    @Argument(index = 0, name = "id", required = true, description = "Queue id (as mail:queue-list shows it)")
    String id;

    @Override
    public Object execute() throws Exception {
        MailCommands.queueShow(spool, id, full, System.out);
        System.out.flush();
        return null;
    }
}
