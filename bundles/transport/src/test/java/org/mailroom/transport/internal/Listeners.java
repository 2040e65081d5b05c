package org.mailroom.transport.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.rules.ExternalResource;
import org.mailroom.api.protocol.Protocol;

/** The listeners a test starts, closed after it. */
final class Listeners extends ExternalResource {

    private final List<MinaListener> started = new ArrayList<>();

    MinaListener start(ListenerSettings settings, Function<String, Protocol> protocols) throws Exception {
        MinaListener listener = new MinaListener(settings, protocols);
        started.add(listener);
        return listener;
    }

    /** For a test that closes the listener itself. */
    void forget(MinaListener listener) {
        started.remove(listener);
    }

    @Override
    protected void after() {
        started.forEach(l -> l.close(null));
    }
}
