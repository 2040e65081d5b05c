package org.mailroom.transport.internal;

import org.junit.experimental.runners.Enclosed;
import org.junit.runner.RunWith;

/**
 * The transport's behaviour over real sockets, again with {@code dispatch = io}: commands run on
 * the I/O thread that read them, everything else as before.
 */
@RunWith(Enclosed.class)
public class IoDispatchTest {

    public static class Listener extends MinaListenerTest {
        @Override
        ListenerConfigValues values(TlsMode mode) {
            return super.values(mode).set("dispatch", "io");
        }

        @Override
        String commandThreadPrefix() {
            return "NioProcessor-";
        }
    }

    public static class HostileClients extends HostileClientsTest {
        @Override
        ListenerConfigValues adjust(ListenerConfigValues values) {
            return values.set("dispatch", "io");
        }
    }
}
