package org.mailroom.shell.internal;

import java.io.IOException;
import java.util.List;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.api.store.MailStore;
import org.mailroom.api.store.MessageInfo;
import org.mailroom.api.store.StoreException;

/** What the commands do, apart from Karaf glue; every method returns the text to print. */
final class MailCommands {

    /** Reads a line from the console, masking the echo with the given character. */
    interface Prompter {
        String readLine(String prompt, Character mask) throws IOException;
    }

    private MailCommands() {}

    static UserDirectory require(UserDirectory directory) {
        if (directory == null) {
            throw new IllegalStateException("No user directory service is running "
                    + "(is bundle org.mailroom.auth.password active and etc/org.mailroom.auth.password.cfg present?)");
        }
        return directory;
    }

    static String userAdd(UserDirectory directory, String user, String password, Prompter prompter) throws IOException {
        UserDirectory d = require(directory);
        if (d.exists(user)) {
            throw new IllegalArgumentException("User " + user + " already exists");
        }
        d.add(user, password != null ? password : promptNewPassword(prompter));
        return "User " + user + " added";
    }

    static String userPasswd(UserDirectory directory, String user, String password, Prompter prompter)
            throws IOException {
        UserDirectory d = require(directory);
        if (!d.exists(user)) {
            throw new IllegalArgumentException("Unknown user: " + user);
        }
        d.setPassword(user, password != null ? password : promptNewPassword(prompter));
        return "Password of " + user + " changed";
    }

    static String userRemove(UserDirectory directory, String user) throws IOException {
        if (!require(directory).remove(user)) {
            throw new IllegalArgumentException("Unknown user: " + user);
        }
        return "User " + user + " removed";
    }

    static String userList(UserDirectory directory) {
        List<String> users = require(directory).users();
        if (users.isEmpty()) {
            return "No users";
        }
        return String.join(System.lineSeparator(), users);
    }

    static String mailboxInfo(MailStore store, UserDirectory directory, String user) throws StoreException {
        if (directory != null && !directory.exists(user)) {
            throw new IllegalArgumentException("Unknown user: " + user);
        }
        if (store == null) {
            throw new IllegalStateException(
                    "No mail store is available (is bundle org.mailroom.store.maildir active?)");
        }
        List<MessageInfo> messages = store.list(user);
        long octets = 0;
        for (MessageInfo m : messages) {
            octets += m.size();
        }
        return user + ": " + messages.size() + (messages.size() == 1 ? " message, " : " messages, ") + octets
                + " octets";
    }

    static String promptNewPassword(Prompter prompter) throws IOException {
        String first = prompter.readLine("New password: ", '*');
        if (first == null || first.isEmpty()) {
            throw new IllegalArgumentException("Empty password; nothing changed");
        }
        String second = prompter.readLine("Retype new password: ", '*');
        if (!first.equals(second)) {
            throw new IllegalArgumentException("Passwords do not match; nothing changed");
        }
        return first;
    }
}
