package kaa.rpc;

/**
 * A client's handshake failed in a way that proves nothing about the server:
 * it hung up after our answer (a wrong secret, as far as the original
 * protocol can tell; but a server that restarts or sheds connections looks
 * the same), or what answered sent a refusal, junk, or a wrong answer to our
 * challenge. None of it is authenticated, so whatever answered the address
 * (a port taken over during a restart) could have sent it: a retrying client
 * tries again, waiting longer after each refusal in a row, and a client
 * without retry fails with it.
 */
public final class PresumedAuthenticationException extends AuthenticationException {

    private static final long serialVersionUID = 1L;

    /**
     * A refusal presumed from what the handshake saw.
     *
     * @param message what the handshake saw, for the log and the caller
     */
    public PresumedAuthenticationException(String message) {
        super(message);
    }
}
