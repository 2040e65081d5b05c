package org.mailroom.store.maildir.internal;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link MaildirStoreKillTest}. Arguments: mail root, scratch root, user, uids to
 * delete. First runs a deletion in the scratch root, so that the real one runs warm, as in a
 * server that has been up for a while; then lists the user's mailbox (as a POP3 session does
 * before QUIT), prints "deleting", deletes the uids with fsync on, prints "deleted N in T us", and
 * waits on stdin until the parent kills it.
 */
public final class DeleteInChild {

    private DeleteInChild() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        Path scratch = Path.of(args[1]);
        String user = args[2];
        List<String> uids = List.of(args).subList(3, args.length);

        MaildirStore warmup = new MaildirStore(new MaildirSettings(scratch, null, true));
        for (int round = 0; round < 3; round++) {
            List<String> delivered = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                delivered.add(warmup.deliver(
                        user,
                        new ByteArrayInputStream(
                                ("Subject: warm-up " + i + "\n\nx\n").getBytes(StandardCharsets.UTF_8))));
            }
            warmup.list(user);
            warmup.delete(user, delivered);
        }

        MaildirStore store = new MaildirStore(new MaildirSettings(root, null, true));
        store.list(user);
        System.out.println("deleting");
        System.out.flush();
        long started = System.nanoTime();
        int removed = store.delete(user, uids);
        System.out.println("deleted " + removed + " in " + (System.nanoTime() - started) / 1000 + " us");
        System.out.flush();
        System.in.read();
    }
}
