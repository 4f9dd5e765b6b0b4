package kaa.rpc;

import java.io.IOException;

/**
 * A call could not complete because its channel is not connected: it was
 * made on a closed channel, or the connection was lost or closed while the
 * call waited for its answer. A call that fails this way may or may not have
 * run on the peer.
 */
public class NotConnectedException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * A channel not connected.
     *
     * @param message what closed the channel, or that it was never open
     */
    public NotConnectedException(String message) {
        super(message);
    }

    /**
     * A channel not connected, and why.
     *
     * @param message what closed the channel, or that it was never open
     * @param cause what ended the connection (an I/O error, say), or null
     */
    public NotConnectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
