package org.mailroom.transport.internal;

import java.net.InetSocketAddress;

/** Validated listener settings; {@link #from} rejects bad values with the key that holds them. */
record ListenerSettings(
        String name,
        String protocol,
        InetSocketAddress address,
        TlsMode tls,
        int idleTimeoutSeconds,
        int loginTimeoutSeconds,
        int maxLineLength,
        int maxConnections,
        int maxConnectionsPerIp,
        int maxConnectionRatePerIp,
        int maxQueuedOutputBytes,
        int listenBacklog,
        int maxRefusalHandshakes,
        int workerThreads,
        boolean dispatchOnIoThreads,
        String unavailableReply,
        TlsSettings tlsSettings) {

    static ListenerSettings from(ListenerConfig c) {
        String name = require("name", c.name());
        String protocol = require("protocol", c.protocol());
        if (c.port() < 0 || c.port() > 65535) {
            throw new ConfigException("port", "must be between 0 and 65535, not " + c.port());
        }
        TlsMode tls;
        try {
            tls = TlsMode.parse(c.tls());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("tls", e.getMessage());
        }
        positive("idleTimeoutSeconds", c.idleTimeoutSeconds());
        positive("loginTimeoutSeconds", c.loginTimeoutSeconds());
        if (c.maxLineLength() < 512) {
            throw new ConfigException("maxLineLength", "must be at least 512, not " + c.maxLineLength());
        }
        positive("maxConnections", c.maxConnections());
        positive("maxConnectionsPerIp", c.maxConnectionsPerIp());
        positive("maxConnectionRatePerIp", c.maxConnectionRatePerIp());
        if (c.maxQueuedOutputBytes() < 65536) {
            throw new ConfigException(
                    "maxQueuedOutputBytes", "must be at least 65536, not " + c.maxQueuedOutputBytes());
        }
        positive("listenBacklog", c.listenBacklog());
        if (c.maxRefusalHandshakes() < 0) {
            throw new ConfigException("maxRefusalHandshakes", "must not be negative, not " + c.maxRefusalHandshakes());
        }
        positive("workerThreads", c.workerThreads());
        String dispatch = c.dispatch() == null ? "" : c.dispatch().trim();
        if (!dispatch.equals("io") && !dispatch.equals("workers")) {
            throw new ConfigException("dispatch", "must be io or workers, not '" + dispatch + "'");
        }
        TlsSettings tlsSettings = TlsSettings.from(c);
        if (tls != TlsMode.NONE && !tlsSettings.configured()) {
            throw new ConfigException(
                    "tls", tls.name().toLowerCase() + " needs tls.certificate and tls.privateKey, or tls.keystore");
        }
        return new ListenerSettings(
                name,
                protocol,
                new InetSocketAddress(require("host", c.host()), c.port()),
                tls,
                c.idleTimeoutSeconds(),
                c.loginTimeoutSeconds(),
                c.maxLineLength(),
                c.maxConnections(),
                c.maxConnectionsPerIp(),
                c.maxConnectionRatePerIp(),
                c.maxQueuedOutputBytes(),
                c.listenBacklog(),
                c.maxRefusalHandshakes(),
                c.workerThreads(),
                dispatch.equals("io"),
                require("unavailableReply", c.unavailableReply()),
                tlsSettings);
    }

    private static String require(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(key, "is required");
        }
        return value.trim();
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new ConfigException(key, "must be positive, not " + value);
        }
    }
}
