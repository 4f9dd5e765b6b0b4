package kaa.rpc;

import java.net.SocketAddress;
import java.util.Objects;
import kaa.rpc.internal.net.Address;

/**
 * What is known of one open connection: its two ends, its transport, and
 * whether the peer is this library. Made once, when the connection's
 * handshake completes; immutable.
 */
public final class ConnectionInfo {

    /** The kind of socket a connection runs over. */
    public enum Transport {
        /** A TCP socket (IPv4 or IPv6). */
        TCP,
        /** A Unix domain socket. */
        UNIX
    }

    private final SocketAddress localAddress;
    private final SocketAddress remoteAddress;
    private final Transport transport;
    private final boolean peerIsJava;

    /**
     * What is known of a connection; the library makes one as each handshake completes.
     *
     * @param localAddress our end of the connection, or null if the socket does not name it
     * @param remoteAddress the peer's end, or null if the socket does not name it (a Unix client)
     * @param transport TCP or a Unix socket
     * @param peerIsJava whether the peer is this library, known from its handshake challenge
     */
    public ConnectionInfo(SocketAddress localAddress, SocketAddress remoteAddress, Transport transport,
            boolean peerIsJava) {
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.peerIsJava = peerIsJava;
    }

    /**
     * Our end of the connection.
     *
     * @return the local address, or null if the socket does not name it
     */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /**
     * The peer's end of the connection.
     *
     * @return the remote address, or null if the socket does not name it (the client end of a Unix socket)
     */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    /**
     * The kind of socket.
     *
     * @return TCP or UNIX
     */
    public Transport transport() {
        return transport;
    }

    /**
     * Whether the peer is this library (a Java peer), known from its
     * handshake challenge; false for a Python kaa.rpc peer.
     *
     * @return true for a peer that is this library
     */
    public boolean peerIsJava() {
        return peerIsJava;
    }

    /** For logs: {@code TCP 127.0.0.1:5000 <-> 127.0.0.1:41234 (java peer)}. */
    @Override
    public String toString() {
        return transport + " " + format(localAddress) + " <-> " + format(remoteAddress)
                + (peerIsJava ? " (java peer)" : " (python peer)");
    }

    /** An address as kaa writes it: {@code host:port}, {@code [v6]:port}, a socket's path; {@code -} for none. */
    private static String format(SocketAddress a) {
        String text = a == null ? "" : Address.format(a); // as kaa writes it, on one line whatever a peer's name
        return text.isEmpty() ? "-" : text;
    }
}
