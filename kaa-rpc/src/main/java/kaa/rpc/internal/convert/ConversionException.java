package kaa.rpc.internal.convert;

/** A value could not be converted to the Java type a method declared. */
public final class ConversionException extends Exception {

    public ConversionException(String message) {
        super(message, null, false, false);
    }
}
