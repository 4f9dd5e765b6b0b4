package kaa.rpc.internal.pickle;

import java.util.Arrays;
import java.util.HashMap;

/**
 * The unpickler's memo: what {@code PUT}, {@code BINPUT}, {@code LONG_BINPUT}
 * and {@code MEMOIZE} store, by index, for the {@code GET}s. Indices as
 * Python's pickler writes them (0, 1, 2, ...) go into an array; any other
 * (a peer may write 0 and then 2,000,000,000) into a map, so that the memory
 * held stays proportional to the entries.
 */
final class Memo {

    /** What {@link #get} returns for an index never stored. */
    static final Object ABSENT = new Object();

    /** None, as stored in the array (where null is a free slot). */
    private static final Object NONE = new Object();

    private static final Object[] NOTHING = {};

    private Object[] dense = NOTHING; // until the first entry: a payload may memoize nothing
    private HashMap<Long, Object> sparse;
    private int size;

    /** The number of indices stored, which {@code MEMOIZE} takes as its index (Python's {@code len(memo)}). */
    int size() {
        return size;
    }

    void put(long index, Object value) {
        if (index >= dense.length && index >= 0 && index < 4L * size + 64) {
            // at least doubled, so that the copies add up to twice the last array, never one per entry; and
            // within four slots an entry, so that the memory held stays proportional to the entries: where both
            // cannot hold, the entry goes to the map, and the array grows once the entries have caught up
            long grown = Math.max(Math.max(index + 1, 2L * dense.length), 16);
            if (grown <= 4L * size + 64) {
                dense = Arrays.copyOf(dense, (int) grown);
            }
        }
        if (index >= 0 && index < dense.length) {
            int i = (int) index;
            if (dense[i] == null && (sparse == null || sparse.remove(index) == null)) {
                size++;
            }
            dense[i] = value == null ? NONE : value;
        } else {
            if (sparse == null) {
                sparse = new HashMap<>();
            }
            if (!sparse.containsKey(index)) {
                size++;
            }
            sparse.put(index, value);
        }
    }

    Object get(long index) {
        if (index >= 0 && index < dense.length && dense[(int) index] != null) {
            Object v = dense[(int) index];
            return v == NONE ? null : v;
        }
        if (sparse != null && sparse.containsKey(index)) {
            return sparse.get(index);
        }
        return ABSENT;
    }
}
