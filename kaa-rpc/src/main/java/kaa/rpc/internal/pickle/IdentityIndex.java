package kaa.rpc.internal.pickle;

/**
 * The pickler's memo: each value written so far, by identity, to its memo
 * index. {@code IdentityHashMap} boxes every index and, grown from its small
 * default by doubling, rehashed and reallocated its table about ten times
 * for a list of a few hundred records: a fifth of encoding it. This one
 * keeps the indices unboxed and grows fourfold while small (twice once
 * large, so that a large pickle's memo stays within twice what it needs).
 * One per pickle, one thread.
 */
final class IdentityIndex {

    private Object[] keys = new Object[64];
    private int[] indices = new int[64];
    private int size;

    /** The index of {@code key}, or -1. */
    int get(Object key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            Object k = keys[i];
            if (k == key) {
                return indices[i];
            }
            if (k == null) {
                return -1;
            }
        }
    }

    /** Records {@code key} under {@code index}; the key is not there yet. */
    void put(Object key, int index) {
        if (2 * (size + 1) > keys.length) { // at most half full, so that probes stay short
            grow();
        }
        insert(key, index);
        size++;
    }

    private void insert(Object key, int index) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        indices[i] = index;
    }

    private void grow() {
        Object[] oldKeys = keys;
        int[] oldIndices = indices;
        int length = oldKeys.length * (oldKeys.length < 4096 ? 4 : 2);
        keys = new Object[length];
        indices = new int[length];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                insert(oldKeys[i], oldIndices[i]);
            }
        }
    }

    private static int slot(Object key, int mask) {
        int h = System.identityHashCode(key);
        // the top bits of a multiplicative spread (identity hashes cluster in their low bits), as many as the table has
        return (h ^ h >>> 16) * 0x9E3779B9 >>> Integer.numberOfLeadingZeros(mask);
    }
}
