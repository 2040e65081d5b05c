package org.mailroom.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mailroom.api.auth.UserDirectory;

@Command(scope = "mail", name = "user-list", description = "Lists the users of the user directory")
@Service
public class UserListCommand implements Action {

    @Reference(optional = true)
    UserDirectory directory;

    @Override
    public Object execute() throws Exception {
        System.out.println(MailCommands.userList(directory));
        return null;
    }
}
