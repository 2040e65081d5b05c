package org.mailroom.addresses.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import org.mailroom.api.auth.UserDirectory;

/** A user directory in memory, as a test gives the component one. */
final class MemoryDirectory implements UserDirectory {

    private final Set<String> users = new ConcurrentSkipListSet<>();

    MemoryDirectory(String... users) {
        Collections.addAll(this.users, users);
    }

    @Override
    public List<String> users() {
        return new ArrayList<>(users);
    }

    @Override
    public boolean exists(String user) {
        return users.contains(user);
    }

    @Override
    public void add(String user, String password) {
        if (!users.add(user)) {
            throw new IllegalArgumentException("user " + user + " already exists");
        }
    }

    @Override
    public void setPassword(String user, String password) {
        if (!users.contains(user)) {
            throw new IllegalArgumentException("no such user: " + user);
        }
    }

    @Override
    public boolean remove(String user) {
        return users.remove(user);
    }
}
