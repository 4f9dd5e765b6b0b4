package kaa.rpc;

import java.net.SocketAddress;
import java.util.Objects;

/**
 * What is known of one connection once its handshake is done: its two
 * addresses, its transport, and whether the peer is this library. Immutable.
 */
public final class ConnectionInfo {

    /** How the connection runs: over TCP (TLS or not), or over a Unix socket. */
    public enum Transport {
        /** TCP, with TLS or without. */
        TCP,
        /** A Unix domain socket. */
        UNIX
    }

    private final SocketAddress localAddress;
    private final SocketAddress remoteAddress;
    private final Transport transport;
    private final boolean peerIsJava;

    /**
     * @param localAddress this side's address
     * @param remoteAddress the peer's address
     * @param transport TCP or Unix
     * @param peerIsJava whether the peer is this library, as its handshake challenge says
     */
    public ConnectionInfo(SocketAddress localAddress, SocketAddress remoteAddress, Transport transport,
            boolean peerIsJava) {
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.peerIsJava = peerIsJava;
    }

    /** {@return this side's address (for a Unix socket, possibly unnamed)} */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /** {@return the peer's address} */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** {@return TCP or Unix} */
    public Transport transport() {
        return transport;
    }

    /**
     * Whether the peer is this library (its handshake challenge carries our
     * marker), rather than Python's kaa.rpc; only then can calls carry
     * {@linkplain RpcCall#headers() headers}.
     *
     * @return true if the peer is this library
     */
    public boolean peerIsJava() {
        return peerIsJava;
    }

    @Override
    public String toString() {
        return transport + " " + localAddress + " - " + remoteAddress + (peerIsJava ? " (kaa-rpc)" : " (kaa.rpc)");
    }
}
