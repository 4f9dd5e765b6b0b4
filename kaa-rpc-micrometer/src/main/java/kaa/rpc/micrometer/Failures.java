package kaa.rpc.micrometer;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import kaa.rpc.CallRefusedException;
import kaa.rpc.NotConnectedException;
import kaa.rpc.RemoteException;

/** The {@code error.type} of a failure, bounded. */
final class Failures {

    private Failures() {
    }

    /** {@return the failure itself, through the wrappers of futures} */
    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /**
     * {@code none} for success; the Python type of a remote error, the class
     * name of any other exception, the first {@code bound}'s size distinct
     * ones as themselves and later ones as {@code _OTHER}; the Python builtin
     * of a refusal and the library's own failures always as themselves.
     */
    static String errorType(Throwable error, BoundedNames bound) {
        Throwable e = unwrap(error);
        if (e == null) {
            return KaaRpcObservationDocumentation.NONE;
        } else if (e instanceof RemoteException) {
            return bound.bound(((RemoteException) e).remoteType());
        } else if (e instanceof CallRefusedException) {
            return ((CallRefusedException) e).pythonType();
        } else if (e instanceof TimeoutException || e instanceof CancellationException
                || e instanceof NotConnectedException || e instanceof RejectedExecutionException) {
            return e.getClass().getName();
        }
        return bound.bound(e.getClass().getName());
    }
}
