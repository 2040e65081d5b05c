package org.mailroom.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.mailroom.api.auth.UserDirectory;

@Command(scope = "mail", name = "user-add", description = "Adds a user; prompts for the password if it is not given")
@Service
public class UserAddCommand implements Action {

    @Reference(optional = true)
    UserDirectory directory;

    @Reference
    Session session;

    @Argument(index = 0, name = "user", required = true, description = "User name")
    String user;

    @Argument(
            index = 1,
            name = "password",
            required = false,
            description = "Password (prompted for without echo if omitted)")
    String password;

    @Override
    public Object execute() throws Exception {
        System.out.println(MailCommands.userAdd(directory, user, password, session::readLine));
        return null;
    }
}
