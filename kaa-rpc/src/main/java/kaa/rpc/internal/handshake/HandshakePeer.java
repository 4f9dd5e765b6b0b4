package kaa.rpc.internal.handshake;

/** The connection as its handshake sees it: told when the peer first speaks, asked for its name. */
public interface HandshakePeer {

    /** The peer sent its first bytes: a server stops counting the connection as silent. */
    void spoke();

    /** The peer's name, for messages and logs. */
    String peer();
}
