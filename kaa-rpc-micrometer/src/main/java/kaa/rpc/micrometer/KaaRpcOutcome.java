package kaa.rpc.micrometer;

import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import kaa.rpc.CallRefusedException;
import kaa.rpc.NotConnectedException;
import kaa.rpc.RemoteException;

/**
 * How a call ended, the value of the {@code outcome} key. Every call has
 * exactly one, on both sides.
 */
public enum KaaRpcOutcome {
    /** The call was answered with a value. */
    SUCCESS,
    /** The peer answered with an exception ({@link RemoteException}). */
    REMOTE_ERROR,
    /** No answer came within the call's time-out ({@link TimeoutException}). */
    TIMEOUT,
    /** The caller cancelled the call, or (when served) the connection was lost ({@link CancellationException}). */
    CANCELLED,
    /** There was no connection, or it was lost ({@link NotConnectedException}). */
    NOT_CONNECTED,
    /**
     * Refused before it ran: by a limit ({@link RejectedExecutionException}) or,
     * when served, by an interceptor or the library ({@link CallRefusedException}:
     * an unknown command, arguments that do not bind).
     */
    REFUSED,
    /** Any other failure: an exception thrown on this side (by a served method, an interceptor, a conversion). */
    ERROR;

    /**
     * The outcome of a call that ended with {@code error}.
     *
     * @param error what the call failed with (a {@code CompletionException} is looked through), or null for success
     * @return its outcome
     */
    public static KaaRpcOutcome of(Throwable error) {
        Throwable e = Failures.unwrap(error);
        if (e == null) {
            return SUCCESS;
        } else if (e instanceof RemoteException) {
            return REMOTE_ERROR;
        } else if (e instanceof TimeoutException) {
            return TIMEOUT;
        } else if (e instanceof CancellationException) {
            return CANCELLED;
        } else if (e instanceof NotConnectedException) {
            return NOT_CONNECTED;
        } else if (e instanceof RejectedExecutionException || e instanceof CallRefusedException) {
            return REFUSED;
        }
        return ERROR;
    }
}
