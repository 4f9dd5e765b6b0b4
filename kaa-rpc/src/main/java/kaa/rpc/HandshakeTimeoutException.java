package kaa.rpc;

import java.io.IOException;

/** The peer connected but did not complete the handshake in time. */
public class HandshakeTimeoutException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * A handshake that did not finish in time.
     *
     * @param message what failed, for the log and the caller
     */
    public HandshakeTimeoutException(String message) {
        super(message);
    }
}
