package kaa.rpc;

import java.io.IOException;

/**
 * The shared-secret handshake failed: the two sides do not have the same
 * secret. A client learns it either by checking the server's answer, or
 * because the server hung up right after checking ours (all the original
 * protocol lets a server say).
 */
public class AuthenticationException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * An authentication failure.
     *
     * @param message what failed, for the log and the caller
     */
    public AuthenticationException(String message) {
        super(message);
    }
}
