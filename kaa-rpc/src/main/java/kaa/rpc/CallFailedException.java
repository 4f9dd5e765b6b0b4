package kaa.rpc;

import java.util.concurrent.TimeoutException;

/**
 * A call through a {@linkplain Channel#proxy proxy} failed in a way its Java
 * method does not declare: the cause is the {@link NotConnectedException}
 * (the channel closed or was never open), the
 * {@link TimeoutException} (no answer in time) or the
 * {@link InterruptedException} (the waiting thread was interrupted; its
 * interrupt flag is set again). A method that declares the cause's type (or
 * a supertype such as {@code IOException}) gets the cause itself instead.
 * A remote exception is always a {@link RemoteException}.
 */
public class CallFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * A failed proxy call.
     *
     * @param message the call and how it failed
     * @param cause the failure the proxy method does not declare
     */
    public CallFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
