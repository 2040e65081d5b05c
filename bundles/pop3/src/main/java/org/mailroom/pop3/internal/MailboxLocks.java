package org.mailroom.pop3.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** One POP3 session per mailbox (RFC 1939 exclusive-access lock); a second gets [IN-USE]. */
final class MailboxLocks {

    private final ConcurrentMap<String, Object> owners = new ConcurrentHashMap<>();

    boolean tryLock(String user, Object owner) {
        return owners.putIfAbsent(user, owner) == null;
    }

    void unlock(String user, Object owner) {
        owners.remove(user, owner);
    }
}
