package kaa.rpc.internal.pickle;

import kaa.rpc.internal.value.Repr;

/** A payload that is not a pickle this library accepts. */
public final class MalformedPickleException extends Exception {

    public MalformedPickleException(String message) {
        super(message, null, false, false);
    }

    public MalformedPickleException(Throwable cause) {
        super(cause.getMessage() == null ? Repr.className(cause.getClass(), false) : cause.getMessage(), cause);
    }
}
