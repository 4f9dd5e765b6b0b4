package kaa.rpc.internal.value;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Puts keys into the hash maps and sets built from network input, so that no
 * key costs more than its share:
 * <ul>
 * <li>a key is charged to the {@link WorkBudget} of its payload by what hashing and
 * comparing it costs (a long string or integer shared through the memo is
 * hashed again in every dict that uses it);</li>
 * <li>no container takes more than {@link #MAX_EQUAL_HASHES} distinct keys
 * with one hash code. Java's maps degrade to a scan when many keys of
 * different classes share a hash, which a peer can arrange (hash flooding);
 * honest data practically never has more than two or three.</li>
 * </ul>
 */
public final class KeyGuard {

    static final int MAX_EQUAL_HASHES = 8;
    /** Containers this small are not watched: none of their insertions compares more keys than this. */
    private static final int WATCH_FROM = MAX_EQUAL_HASHES;

    private final WorkBudget work;
    /** Per watched container: how many of its keys have each hash code. */
    private IdentityHashMap<Object, HashMap<Integer, int[]>> hashCounts;

    public KeyGuard(WorkBudget work) {
        this.work = work;
    }

    /** Python's rule for decoded keys: lists, dicts and sets are mutable, so not hashable. */
    public static void checkHashable(Object key) {
        if (ValueKind.of(key).isUnhashable()) {
            throw new MalformedValueException("unhashable type: '" + Repr.pythonType(key) + "'");
        }
    }

    public void put(Map<Object, Object> map, Object key, Object value) {
        work.charge(1 + weight(key));
        int before = map.size();
        map.put(key, value);
        if (map.size() > before && before >= WATCH_FROM) {
            counted(map, key);
        }
    }

    public void add(Set<Object> set, Object item) {
        work.charge(1 + weight(item));
        if (set.add(item) && set.size() > WATCH_FROM) {
            counted(set, item);
        }
    }

    /** {@code key} is new in {@code container}, which has grown past {@link #WATCH_FROM}. */
    private void counted(Object container, Object key) {
        HashMap<Integer, int[]> counts = hashCounts == null ? null : hashCounts.get(container);
        if (counts == null) {
            countExisting(container); // the new key among them
        } else if (++counts.computeIfAbsent(hash(key), h -> new int[1])[0] > MAX_EQUAL_HASHES) {
            throw flooded();
        }
    }

    private void countExisting(Object container) {
        if (hashCounts == null) {
            hashCounts = new IdentityHashMap<>();
        }
        HashMap<Integer, int[]> counts = new HashMap<>();
        Collection<?> keys = container instanceof Map ? ((Map<?, ?>) container).keySet() : (Collection<?>) container;
        work.charge(keys.size());
        for (Object k : keys) {
            if (++counts.computeIfAbsent(hash(k), h -> new int[1])[0] > MAX_EQUAL_HASHES) {
                throw flooded();
            }
        }
        hashCounts.put(container, counts);
    }

    private static RuntimeException flooded() {
        return new MalformedValueException("more than " + MAX_EQUAL_HASHES
                + " keys of one dict or set have the same hash code (hash flooding?)");
    }

    private static int hash(Object key) {
        return key == null ? 0 : key.hashCode();
    }

    /**
     * What hashing or comparing {@code key} costs beyond one step: its length
     * for strings, numbers and frozen sets, nothing for keys hashed by
     * identity (tuples, bytes, objects).
     */
    public static long weight(Object key) {
        if (key instanceof CharSequence) { // a String, or a SurrogateText
            return ((CharSequence) key).length() >> 4;
        }
        if (key instanceof BigInteger) {
            return ((BigInteger) key).bitLength() >> 6;
        }
        if (key instanceof BigDecimal) {
            return ((BigDecimal) key).unscaledValue().bitLength() >> 6;
        }
        if (key instanceof FrozenSet) {
            return ((FrozenSet) key).weight;
        }
        return 0;
    }
}
