package kaa.rpc.internal.handshake;

/** The connection as its handshake sees it: told when the peer first speaks, asked for its name. */
public interface HandshakePeer {

    /** The peer sent its first bytes: a server stops counting the connection as silent. */
    void spoke();

    /** The peer's name, for messages and logs. */
    String peer();

    // why a handshake failed: the fixed set kaa.rpc.ConnectionObserver.handshakeFailed documents
    String WRONG_SECRET = "wrong-secret";
    String TIMEOUT = "timeout";
    String MALFORMED = "malformed";
    String TLS = "tls";
    String CLOSED = "closed";

    /** The handshake fails, for {@code reason} (one of the constants above); told before the failure is passed on. */
    default void handshakeFailed(String reason) {
    }
}
