package kaa.rpc.internal.value;

/** A decoded value breaks a rule of the value model: too deep, a cycle, an unhashable or flooding key. */
public final class MalformedValueException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    MalformedValueException(String message) {
        super(message, null, false, false);
    }
}
