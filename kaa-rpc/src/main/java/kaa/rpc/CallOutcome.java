package kaa.rpc;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * How a call ended, on either side: what an interceptor's completion says,
 * in one word, for a metric or a log line. Every call has exactly one.
 */
public enum CallOutcome {
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
     * @param error what the call failed with (a {@code CompletionException} or
     *     {@code ExecutionException} is looked through), or null for success
     * @return its outcome
     */
    public static CallOutcome of(Throwable error) {
        Throwable e = cause(error);
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

    /**
     * Whether the calls of this outcome have error types from a fixed few
     * (the library's own failures, and the builtins a refusal may name), so
     * that a metric may keep them as they are; a remote error's types are
     * the peer's choice, and another failure's the exception classes of
     * user code: keep only so many of those.
     *
     * @return false for {@link #REMOTE_ERROR} and {@link #ERROR}
     */
    public boolean hasFewErrorTypes() {
        return this != REMOTE_ERROR && this != ERROR;
    }

    /**
     * The type of the error a call ended with: a remote error's type as the
     * peer names it ({@code KeyError}, or a Java peer's class name), the
     * builtin Python exception a refusal names, else the exception's class
     * name. A peer chooses its remote types: one that is no type's name (a
     * dotted name of letters, digits, {@code _} and {@code $}, of at most
     * 128 characters) is given as
     * {@code kaa.rpc.RemoteException}, the class this side sees, so no
     * peer puts a line break or a page of text in a metric's tag. Their
     * number is not bounded: a metric that keeps them should keep only so many.
     *
     * @param error what the call failed with (wrappers of futures looked through), or null for success
     * @return the type, or null for success
     */
    public static String errorType(Throwable error) {
        Throwable e = cause(error);
        if (e == null) {
            return null;
        } else if (e instanceof RemoteException remote) {
            return isTypeName(remote.remoteType()) ? remote.remoteType() : RemoteException.class.getName();
        } else if (e instanceof CallRefusedException refused) {
            return refused.pythonType();
        }
        return e.getClass().getName();
    }

    /** The longest remote type {@link #errorType} gives as itself. */
    static final int MAX_TYPE_NAME = 128;

    private static boolean isTypeName(String type) {
        if (type.isEmpty() || type.length() > MAX_TYPE_NAME || type.charAt(0) == '.'
                || type.charAt(type.length() - 1) == '.') {
            return false;
        }
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '.' && type.charAt(i - 1) != '.')) {
                return false;
            }
        }
        return true;
    }

    /**
     * What a call failed with, through the wrappers of futures
     * ({@code CompletionException}, {@code ExecutionException}).
     *
     * @param error as a future's dependent got it, or null
     * @return the failure itself, or null
     */
    public static Throwable cause(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
