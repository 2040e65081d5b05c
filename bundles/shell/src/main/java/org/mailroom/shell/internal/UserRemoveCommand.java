package org.mailroom.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.mailroom.api.auth.UserDirectory;

@Command(scope = "mail", name = "user-remove", description = "Removes a user from the user directory")
@Service
public class UserRemoveCommand implements Action {

    @Reference(optional = true)
    UserDirectory directory;

    @Argument(index = 0, name = "user", required = true, description = "User name")
    String user;

    @Override
    public Object execute() throws Exception {
        System.out.println(MailCommands.userRemove(directory, user));
        return null;
    }
}
