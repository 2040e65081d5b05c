package org.mailroom.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.api.store.MailStore;

@Command(
        scope = "mail",
        name = "mailbox-info",
        description = "Shows the number of messages and their total size in octets")
@Service
public class MailboxInfoCommand implements Action {

    @Reference(optional = true)
    UserDirectory directory;

    @Reference(optional = true)
    MailStore store;

    @Argument(index = 0, name = "user", required = true, description = "User name")
    String user;

    @Override
    public Object execute() throws Exception {
        System.out.println(MailCommands.mailboxInfo(store, directory, user));
        return null;
    }
}
