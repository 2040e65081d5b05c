package org.mailroom.api.auth;

import java.io.IOException;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/** Administration of a user directory: what the console and provisioning tools need. */
@ConsumerType
public interface UserDirectory {

    /** The user names, sorted. */
    List<String> users();

    boolean exists(String user);

    /**
     * Adds a user with a password hashed by the directory's default scheme.
     *
     * @throws IllegalArgumentException if the name is not acceptable or the user exists
     */
    void add(String user, String password) throws IOException;

    /** @throws IllegalArgumentException if the user does not exist */
    void setPassword(String user, String password) throws IOException;

    /** @return false if there was no such user */
    boolean remove(String user) throws IOException;
}
