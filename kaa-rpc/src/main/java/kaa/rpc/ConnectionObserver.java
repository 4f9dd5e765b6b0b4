package kaa.rpc;

import java.net.SocketAddress;

/**
 * Told of the life of a server's or client's connections, for metrics and
 * audit logs: installed with {@link PeerBuilder#observer}. Every method does
 * nothing unless overridden.
 *
 * <p>Every method runs on the connection's I/O thread: it must be quick and
 * never block (hand anything slow to another thread). An exception it throws
 * is logged (at most once a second) and ignored: it never breaks the
 * connection. When no observer is installed, nothing of this runs.
 */
public interface ConnectionObserver {

    /**
     * A connection completed its handshake.
     *
     * @param c the connection
     */
    default void opened(ConnectionInfo c) {
    }

    /**
     * A connection that had {@linkplain #opened opened} ended.
     *
     * @param c the connection
     * @param reason why it ended (a close by either side is a {@link NotConnectedException}); never null
     */
    default void closed(ConnectionInfo c, Throwable reason) {
    }

    /**
     * A connection ended before its handshake completed.
     *
     * @param remote the peer's address, or null if the socket does not name it
     * @param reason one of a fixed set: {@code "wrong-secret"} (a wrong answer to a challenge, or the
     *     server refused ours), {@code "timeout"} (not done within the handshake time-out),
     *     {@code "malformed"} (a packet the handshake does not allow: its type, length or size),
     *     {@code "tls"} (TLS failed, or is on one side only), {@code "closed"} (the connection closed
     *     first; for a client that had sent its answer, a server's refusal of it)
     */
    default void handshakeFailed(SocketAddress remote, String reason) {
    }

    /**
     * A server refused a connection at once for one of its limits (it was
     * closed before any byte was read).
     *
     * @param remote the peer's address, or null if the socket does not name it
     * @param limit the builder option that refused it, one of a fixed set: {@code "maxConnections"}
     *     (as many connections are open) or {@code "maxHandshaking"} (as many are in their handshake,
     *     none of them old enough to make room)
     */
    default void refused(SocketAddress remote, String limit) {
    }

    /**
     * A frame arrived on an open connection.
     *
     * @param c the connection
     * @param type the packet type: {@code "CALL"}, {@code "CALH"}, {@code "RETN"}, {@code "EXCP"},
     *     {@code "CNCL"}, ..., or {@code "UNKNOWN"} for any other (a fixed set, whatever a peer sends)
     * @param bytes the frame's size: its 12-byte header and its payload
     */
    default void packetReceived(ConnectionInfo c, String type, long bytes) {
    }

    /**
     * A frame was handed to an open connection's socket.
     *
     * @param c the connection
     * @param type the packet type, as for {@link #packetReceived}
     * @param bytes the frame's size: its 12-byte header and its payload
     */
    default void packetSent(ConnectionInfo c, String type, long bytes) {
    }
}
