package kaa.rpc;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An interceptor's own state for one call: typed values under keys it
 * owns, kept from the call's start to its completion, whichever threads
 * they run on. Empty at first; nothing here travels to the peer.
 */
public final class CallAttributes {

    /**
     * A key of one type of value. Keys compare by identity: make each one once,
     * as a constant.
     *
     * @param <T> the type of its values
     */
    public static final class Key<T> {
        private final String name;

        private Key(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * A new key.
         *
         * @param name what {@link #toString} shows
         * @param <T> the type of its values
         * @return a key equal to no other
         */
        public static <T> Key<T> named(String name) {
            return new Key<>(name);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    // made on the first put: most calls' interceptors keep nothing, or keep it in their own locals
    private volatile ConcurrentHashMap<Key<?>, Object> values;

    /** An empty map; the library makes one per intercepted call. */
    public CallAttributes() {
    }

    /**
     * The value under {@code key}.
     *
     * @param key the key
     * @param <T> the type of its values
     * @return the value, or null if none was put
     */
    @SuppressWarnings("unchecked")
    public <T> T get(Key<T> key) {
        ConcurrentHashMap<Key<?>, Object> m = values;
        return m == null ? null : (T) m.get(key);
    }

    /**
     * Puts {@code value} under {@code key}, or removes what was there if it is null.
     *
     * @param key the key
     * @param value the value, or null
     * @param <T> the type of its values
     */
    public <T> void put(Key<T> key, T value) {
        Objects.requireNonNull(key, "key");
        ConcurrentHashMap<Key<?>, Object> m = values;
        if (m == null) {
            synchronized (this) { // guards the first creation of the map only
                m = values;
                if (m == null) {
                    values = m = new ConcurrentHashMap<>(4);
                }
            }
        }
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
    }

    @Override
    public String toString() {
        ConcurrentHashMap<Key<?>, Object> m = values;
        return m == null ? "{}" : m.toString();
    }
}
