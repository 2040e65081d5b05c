package org.mailroom.transport.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.mailroom.api.protocol.Protocol;
import org.mailroom.testing.TrustAll;

/** The listener component over the shared TLS settings, as ConfigAdmin hands them over. */
public class ListenerComponentTest {

    private static final String UNAVAILABLE = "-ERR [SYS/TEMP] nothing serves this port";
    private static final String GREETING = "+OK test ready";

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private final TlsDefaults tls = new TlsDefaults();
    private final ListenerComponent component = new ListenerComponent();

    {
        component.protocols = List.of(Map.entry(Map.of(Protocol.NAME, "test"), new MinaListenerTest.TestProtocol()));
    }

    @After
    public void stop() {
        component.deactivate();
    }

    @Test
    public void anEditOfTheSharedTlsFileReachesARunningListener() throws Exception {
        tls.configure(tlsFile("TLSv1.3,TLSv1.2"));
        component.tlsDefaults = tls;
        component.activate(listenerFile("0"));
        int port = component.listener().boundAddress().getPort();
        assertEquals("TLSv1.3", handshake(port));

        tls.configure(tlsFile("TLSv1.2"));
        assertEquals("the edit applies to new connections on the same port", "TLSv1.2", handshake(port));
        assertEquals(port, component.listener().boundAddress().getPort());
    }

    @Test
    public void aListenerFileOverridesASharedTlsKey() throws Exception {
        tls.configure(tlsFile("TLSv1.3,TLSv1.2"));
        component.tlsDefaults = tls;
        Map<String, Object> own = listenerFile("0");
        own.put("tls.protocols", "TLSv1.2");
        component.activate(own);
        assertEquals("TLSv1.2", handshake(component.listener().boundAddress().getPort()));
    }

    @Test
    public void aValueOfTheWrongTypeNamesItsKeyAndABadEditKeepsThePreviousSettings() throws Exception {
        tls.configure(tlsFile("TLSv1.3,TLSv1.2"));
        component.tlsDefaults = tls;
        ConfigException first = assertThrows(ConfigException.class, () -> component.activate(listenerFile("abc")));
        assertTrue(first.getMessage(), first.getMessage().contains("port"));

        component.activate(listenerFile("0"));
        int port = component.listener().boundAddress().getPort();
        Map<String, Object> bad = listenerFile("0");
        bad.put("maxConnections", "many");
        component.modified(bad);
        assertEquals("TLSv1.3", handshake(port));
    }

    @Test
    public void whileNoProtocolIsRegisteredAnImplicitTlsClientGetsTheUnavailableReplyOverTls() throws Exception {
        tls.configure(tlsFile("TLSv1.3,TLSv1.2"));
        component.tlsDefaults = tls;
        component.protocols = List.of();
        component.activate(listenerFile("0"));
        try (SSLSocket socket =
                (SSLSocket) TrustAll.context().getSocketFactory().createSocket()) {
            socket.connect(component.listener().boundAddress(), 5000);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals(UNAVAILABLE, in.readLine());
        }
    }

    private Map<String, Object> tlsFile(String protocols) {
        Path dir = folder.getRoot().toPath();
        Map<String, Object> file = new HashMap<>();
        file.put("service.pid", "org.mailroom.tls");
        file.put("tls.certificate", dir.resolve("server.crt").toString());
        file.put("tls.privateKey", dir.resolve("server.key").toString());
        file.put("tls.selfSigned", "true");
        file.put("tls.protocols", protocols);
        return file;
    }

    private static Map<String, Object> listenerFile(String port) {
        Map<String, Object> file = new HashMap<>();
        file.put("service.pid", "org.mailroom.listener~test");
        file.put("name", "test");
        file.put("protocol", "test");
        file.put("host", "127.0.0.1");
        file.put("port", port);
        file.put("tls", "implicit");
        file.put("unavailableReply", UNAVAILABLE);
        return file;
    }

    /** Connects with implicit TLS and reads the test protocol's greeting; returns the TLS version. */
    private static String handshake(int port) throws Exception {
        try (SSLSocket socket =
                (SSLSocket) TrustAll.context().getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals(GREETING, in.readLine());
            return socket.getSession().getProtocol();
        }
    }
}
