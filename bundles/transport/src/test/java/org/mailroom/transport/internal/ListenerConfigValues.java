package org.mailroom.transport.internal;

import java.lang.annotation.Annotation;

/** A ListenerConfig with settable values, as ConfigAdmin would supply them. */
final class ListenerConfigValues {
    String name = "test";
    String protocol = "pop3";
    String host = "127.0.0.1";
    int port = 0;
    String tls = "none";
    String[] protocols = {"TLSv1.3", "TLSv1.2"};

    ListenerConfig config() {
        return new ListenerConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return ListenerConfig.class;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String protocol() {
                return protocol;
            }

            @Override
            public String host() {
                return host;
            }

            @Override
            public int port() {
                return port;
            }

            @Override
            public String tls() {
                return tls;
            }

            @Override
            public int idleTimeoutSeconds() {
                return 600;
            }

            @Override
            public int maxLineLength() {
                return 2048;
            }

            @Override
            public int maxConnections() {
                return 100;
            }

            @Override
            public int maxConnectionsPerIp() {
                return 10;
            }

            @Override
            public int workerThreads() {
                return 4;
            }

            @Override
            public String unavailableReply() {
                return "";
            }

            @Override
            public String tls_certificate() {
                return "";
            }

            @Override
            public String tls_privateKey() {
                return "";
            }

            @Override
            public String tls_keystore() {
                return "";
            }

            @Override
            public String tls_keystorePassword() {
                return "";
            }

            @Override
            public boolean tls_selfSigned() {
                return false;
            }

            @Override
            public String[] tls_protocols() {
                return protocols;
            }
        };
    }
}
