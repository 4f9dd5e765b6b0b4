package kaa.rpc.internal.value;

/** The bounds every walk of a value shares, so that reader, writer and checks agree. */
public final class Limits {

    /** Values nested deeper than this are refused both ways: whatever walks them must not overflow its stack. */
    public static final int MAX_DEPTH = 512;
    /** The longest rendering of a value in an error message. */
    public static final int REPR_LIMIT = 60;

    private Limits() {
    }
}
