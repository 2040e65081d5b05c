package org.mailroom.transport.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One listener ({@code etc/org.mailroom.listener-NAME.cfg}) merged with the shared TLS settings
 * ({@code etc/org.mailroom.tls.cfg}); a listener file may override any TLS key.
 */
@ObjectClassDefinition(name = "Mailroom listener", description = "A TCP port served by one protocol")
public @interface ListenerConfig {

    @AttributeDefinition(description = "Listener name, used in logs and by protocols")
    String name();

    @AttributeDefinition(description = "Protocol served, as registered by a protocol bundle (pop3, smtp, ...)")
    String protocol();

    @AttributeDefinition(description = "Bind address; 0.0.0.0 for all IPv4 addresses, :: for all addresses")
    String host() default "0.0.0.0";

    @AttributeDefinition(description = "TCP port")
    int port();

    @AttributeDefinition(description = "none, starttls (upgrade on request) or implicit (TLS from the first byte)")
    String tls() default "starttls";

    @AttributeDefinition(
            description =
                    "Seconds without a complete command (or output progress) before a logged-in connection is closed")
    int idleTimeoutSeconds() default 600;

    @AttributeDefinition(
            description = "Seconds a connection may take from connect to a successful login (TLS handshake included)")
    int loginTimeoutSeconds() default 60;

    @AttributeDefinition(description = "Longest accepted input line in octets, line end excluded")
    int maxLineLength() default 2048;

    @AttributeDefinition(description = "Most connections open at once on this listener")
    int maxConnections() default 5000;

    @AttributeDefinition(description = "Most connections open at once from one client IP address")
    int maxConnectionsPerIp() default 50;

    @AttributeDefinition(
            description =
                    "Most new connections per minute from one client IP address (a token bucket: bursts up to this many)")
    int maxConnectionRatePerIp() default 600;

    @AttributeDefinition(
            description = "Most reply octets queued for a client that does not read before the connection is closed")
    int maxQueuedOutputBytes() default 4194304;

    @AttributeDefinition(
            description = "TCP listen backlog: connections the kernel queues before the server accepts them")
    int listenBacklog() default 1024;

    @AttributeDefinition(
            description =
                    "Most TLS handshakes run at once only to tell over-limit clients of an implicit-TLS port why they are refused")
    int maxRefusalHandshakes() default 16;

    @AttributeDefinition(description = "Threads that run protocol logic (disk I/O, protocol state) for this listener")
    int workerThreads() default 16;

    @AttributeDefinition(
            description =
                    "Where a command runs: workers (the worker pool, for protocols that block: fsync, spool, DNS) or io (the I/O thread that read it, saving two thread hand-offs per command; for protocols whose work is short, POP3 on a local Maildir); continuations from timers and the login service run on the workers either way")
    String dispatch() default "workers";

    @AttributeDefinition(
            description =
                    "Reply sent, in the protocol's words, while no bundle serves the protocol (e.g. -ERR [SYS/TEMP] ... or 421 4.3.2 ...); the transport knows no protocol")
    String unavailableReply();

    @AttributeDefinition(name = "tls.certificate", description = "PEM file with the certificate chain")
    String tls_certificate() default "";

    @AttributeDefinition(name = "tls.privateKey", description = "PEM file with the private key (PKCS#8 or PKCS#1)")
    String tls_privateKey() default "";

    @AttributeDefinition(
            name = "tls.keystore",
            description = "PKCS#12 or JKS keystore, used instead of the PEM files when set")
    String tls_keystore() default "";

    @AttributeDefinition(
            name = "tls.keystorePassword",
            type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
    String tls_keystorePassword() default "";

    @AttributeDefinition(
            name = "tls.selfSigned",
            description = "Generate a self-signed certificate when the PEM files are missing")
    boolean tls_selfSigned() default false;

    @AttributeDefinition(
            name = "tls.protocols",
            description = "Enabled TLS versions; only TLSv1.2 and TLSv1.3 are accepted")
    String[] tls_protocols() default {"TLSv1.3", "TLSv1.2"};

    @AttributeDefinition(
            name = "tls.cipherSuites",
            description = "Enabled cipher suites, comma separated, in the"
                    + " server's order of preference; only forward-secret AEAD suites (TLS 1.3, ECDHE or DHE with GCM or"
                    + " ChaCha20-Poly1305) are accepted")
    String[] tls_cipherSuites() default {
        "TLS_AES_256_GCM_SHA384",
        "TLS_AES_128_GCM_SHA256",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
    };
}
