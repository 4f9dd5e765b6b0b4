package kaa.rpc.micrometer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The first {@code max} distinct names as themselves, every later one as {@code _OTHER}. Thread-safe. */
final class BoundedNames {

    private final ConcurrentHashMap<String, Boolean> admitted = new ConcurrentHashMap<>();
    private final AtomicInteger free;

    BoundedNames(int max) {
        this.free = new AtomicInteger(max);
    }

    String bound(String name) {
        if (name == null) {
            return KaaRpcObservationDocumentation.UNKNOWN;
        }
        if (admitted.containsKey(name)) {
            return name;
        }
        // a slot is taken before the name is admitted, so that racing names never pass max together
        for (int n = free.get(); n > 0; n = free.get()) {
            if (free.compareAndSet(n, n - 1)) {
                if (admitted.putIfAbsent(name, Boolean.TRUE) != null) {
                    free.incrementAndGet(); // another thread admitted the same name: give the slot back
                }
                return name;
            }
        }
        return admitted.containsKey(name) ? name : KaaRpcObservationDocumentation.OTHER;
    }
}
