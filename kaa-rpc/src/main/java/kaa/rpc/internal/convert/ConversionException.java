package kaa.rpc.internal.convert;

/** A value could not be converted to the Java type a method declared. */
public final class ConversionException extends Exception {

    /** The longest message a path of steps makes: a peer chooses the depth, not the size of what it reads. */
    static final int MAX_MESSAGE = 1000;

    /** Whether the outer steps of the path were left out (no further step is added). */
    private final boolean cut;

    public ConversionException(String message) {
        this(message, false);
    }

    private ConversionException(String message, boolean cut) {
        super(message, null, false, false);
        this.cut = cut;
    }

    /**
     * {@code inner} with the {@code step} where it happened in front
     * ({@code "item 3: "}), while the message stays within
     * {@link #MAX_MESSAGE}; past that, the outer steps are left out and the
     * innermost, which say what failed, kept.
     */
    static ConversionException at(String step, ConversionException inner) {
        if (inner.cut) {
            return inner;
        }
        String message = inner.getMessage();
        if (step.length() + message.length() > MAX_MESSAGE) {
            return new ConversionException("...: " + message, true);
        }
        return new ConversionException(step + message);
    }
}
