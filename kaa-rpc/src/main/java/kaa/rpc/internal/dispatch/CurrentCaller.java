package kaa.rpc.internal.dispatch;

/**
 * The channel whose peer made the call that runs on this thread now, for
 * {@code Channel.current()}: set around an exposed method's invocation
 * (the executor's thread, or the I/O thread for a direct one), restored after.
 */
public final class CurrentCaller {

    private static final ThreadLocal<Object> CALLER = new ThreadLocal<>();

    private CurrentCaller() {
    }

    /** The caller's channel, or null outside an exposed method. */
    public static Object get() {
        return CALLER.get();
    }

    /** Sets the caller for an invocation; returns what was there, for {@link #restore}. */
    static Object enter(Object caller) {
        Object before = CALLER.get();
        CALLER.set(caller);
        return before;
    }

    /**
     * Puts back what {@link #enter} found. A null is set, not removed: the
     * thread's entry stays (holding nothing), so that the next call finds it
     * instead of making it again and sweeping the thread's map.
     */
    static void restore(Object before) {
        CALLER.set(before);
    }
}
