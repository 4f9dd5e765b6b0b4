package kaa.rpc.internal.exec;

import java.time.Duration;

/** Time-outs as the timers take them. */
public final class Durations {

    private Durations() {
    }

    /**
     * The longest time-out a setting takes (100 years): every duration becomes
     * deadlines ({@code nanoTime() + d}), which must neither overflow nor be
     * so far off that their difference from now does.
     */
    public static final Duration MAX_DURATION = Duration.ofDays(36_500);

    /** {@code d} in nanoseconds, saturated: a time-out of centuries means "never", not an overflow. */
    public static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
