package org.mailroom.store.maildir.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(
        scope = "mail",
        name = "store-rewrap",
        description = "Re-wraps the data keys of encrypted messages under the current key (after mail:key-rotate);"
                + " the messages are not re-encrypted, uids and sizes stay")
@Service
public class StoreRewrapCommand implements Action {

    @Reference(optional = true)
    MaildirStoreComponent maildir;

    @Argument(index = 0, name = "user", required = false, description = "Only this user's mailbox (default: all)")
    String user;

    @Override
    public Object execute() throws Exception {
        MaildirStore store = maildir == null ? null : maildir.store();
        if (store == null) {
            System.out.println("The Maildir store is not running.");
            return null;
        }
        Rewrap.Result r = store.rewrap(user, (mailbox, rewrapped, current, plain, failed) -> {
            if (rewrapped + failed > 0) {
                System.out.printf(
                        "%s: %d re-wrapped, %d already current, %d plain, %d failed%n",
                        mailbox.getFileName(), rewrapped, current, plain, failed);
            }
        });
        System.out.printf(
                "%d mailboxes: %d messages re-wrapped, %d already under the current key, %d not encrypted, %d failed%s%n",
                r.mailboxes(),
                r.rewrapped(),
                r.current(),
                r.plain(),
                r.failed(),
                r.failed() > 0 ? " (see karaf.log)" : "");
        System.out.flush();
        return null;
    }
}
