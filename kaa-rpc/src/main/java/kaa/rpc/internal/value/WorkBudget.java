package kaa.rpc.internal.value;

/**
 * The work done on one payload from the network, counted as it is done and
 * bounded by a limit proportional to the payload's size. A pickle can share a
 * value many times (by its memo or by {@code DUP}) and ask for the same
 * expensive step again and again: decoding, checking, converting and hashing
 * charge their steps here, so that whatever the bytes contain, the work stays
 * linear in their number, and a payload over its allowance is refused with a
 * {@link WorkLimitException} instead of holding a thread.
 *
 * <p>One unit is roughly one small step: an opcode, a container visited, an
 * item moved, a key hashed, sixteen characters compared. Steps that copy a
 * part of the value that already exists (a shared list made into a set, a
 * shared dict merged into an object's state, a shared text encoded) are also
 * counted as copies, which may not exceed the payload's size: honest pickles
 * copy each such part once, and it is copies that could make memory grow far
 * beyond the bytes received. Not thread-safe: one stage of one payload on one
 * thread.
 */
public final class WorkBudget {

    /**
     * Units allowed per byte of payload. Honest values, shared or not, need
     * at most four (the adversarial ones of the tests included); a steady
     * 16 a byte is well under a microsecond a byte.
     */
    public static final int UNITS_PER_BYTE = 16;
    /** Units every payload may use whatever its size, so that tiny payloads are never refused. */
    public static final long BASE_UNITS = 1 << 16;

    private final long payloadBytes;
    private final long limit;
    private final long copyLimit;
    private long used;
    private long copied;

    private WorkBudget(long payloadBytes, long limit, long copyLimit) {
        this.payloadBytes = payloadBytes;
        this.limit = limit;
        this.copyLimit = copyLimit;
    }

    /** The allowance for a payload of {@code bytes}. */
    public static WorkBudget forPayload(long bytes) {
        return new WorkBudget(bytes, bytes * UNITS_PER_BYTE + BASE_UNITS, bytes + BASE_UNITS);
    }

    /** No limit, for values that come from this process (they are counted all the same). */
    public static WorkBudget unlimited() {
        return new WorkBudget(-1, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** Counts {@code units} more; over the limit, throws. */
    public void charge(long units) {
        used += units;
        if (used > limit || used < 0) {
            throw new WorkLimitException("the value needs more than " + limit + " steps for its " + payloadBytes
                    + "-byte payload (at most " + UNITS_PER_BYTE + " a byte); it repeats shared parts too often");
        }
    }

    /** Counts the copy of {@code items} items (or eight characters each) of a part that exists already. */
    public void copy(long items) {
        charge(items);
        copied += items;
        if (copied > copyLimit || copied < 0) {
            throw new WorkLimitException("the value copies more than " + copyLimit + " items of its shared parts "
                    + "for its " + payloadBytes + "-byte payload (at most one a byte)");
        }
    }

    /** The units counted so far. */
    public long used() {
        return used;
    }

    /** The units still allowed. */
    public long remaining() {
        return limit - used;
    }
}
