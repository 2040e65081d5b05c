package org.mailroom.api.protocol;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The protocol side of one connection. The transport calls these methods one at a time per
 * connection (never concurrently), off its I/O threads, so an implementation may block briefly
 * (hashing a password, opening a file) but needs no locking of its own.
 */
@ConsumerType
public interface ProtocolSession {

    /**
     * One input line, without its line end (CRLF or bare LF; CRLF alone after
     * {@link Connection#setCrlfOnly}). Lines are not delivered while the connection is paused
     * ({@link Connection#sendStream}, {@link Connection#pause}, {@link Connection#readOctets}).
     */
    void onLine(byte[] line);

    /** A line exceeded {@link Connection#maxLineLength()}; its bytes up to the next line end are discarded. */
    void onLineTooLong();

    /**
     * The connection timed out: no complete command (and no output progress) for the listener's
     * idle timeout, or no login within its login timeout. The transport closes it after this.
     */
    void onIdle();

    /** The connection is closed (by either side). Release what the session holds; nothing more can be sent. */
    void onClosed();
}
