package kaa.rpc.internal.dispatch;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import kaa.rpc.internal.frame.ReadControl;

/**
 * Whoever a peer is across its connections (for a server, the peer's host;
 * each Unix-socket connection is its own; for a client, its session): the
 * calls of its lost connections that still run count against its live ones
 * (a client's connector keeps a registry of its own, with a single key).
 * A method that does not stop when its caller goes (and none is interrupted
 * unless it asks to be) holds a thread and its arguments until it returns;
 * if hanging up freed its slot, reconnecting would bypass
 * {@code maxConcurrentCalls}.
 */
public final class CallSource {

    /** A server's sources, by key; a source leaves when it has no connection and no call left. */
    public static final class Registry {
        // guarded by this registry's lock: the map, and each source's connections
        private final Map<Object, CallSource> sources = new HashMap<>();

        /** The source of {@code key}, which the connection read as {@code reads} says joins. */
        public synchronized CallSource join(Object key, ReadControl reads) {
            CallSource s = sources.computeIfAbsent(key, k -> new CallSource(this, k));
            s.live.add(reads);
            return s;
        }

        synchronized int size() {
            return sources.size();
        }

        private synchronized void leave(CallSource s, ReadControl reads) {
            s.live.remove(reads);
            forgetIfIdle(s);
        }

        private synchronized ReadControl[] live(CallSource s) {
            forgetIfIdle(s);
            return s.live.toArray(new ReadControl[0]);
        }

        private void forgetIfIdle(CallSource s) {
            if (s.live.isEmpty() && s.orphans.get() == 0) {
                sources.remove(s.key, s);
            }
        }
    }

    private final Registry registry;
    private final Object key;
    /** Calls of lost connections still running. */
    private final AtomicInteger orphans = new AtomicInteger();
    private final Set<ReadControl> live;

    private CallSource(Registry registry, Object key) {
        this.registry = registry;
        this.key = key;
        this.live = new HashSet<>();
    }

    int orphans() {
        return orphans.get();
    }

    /** The connection read as {@code reads} says was lost with {@code running} calls still running: they are this source's now. */
    void lost(ReadControl reads, int running) {
        orphans.addAndGet(running);
        registry.leave(this, reads);
    }

    /** A call of a lost connection returned: its slot is free again for the live connections. */
    void orphanDone() {
        orphans.decrementAndGet();
        for (ReadControl reads : registry.live(this)) {
            reads.reconsider(ReadControl.Reason.BUSY); // outside the registry's lock: it may hop threads
        }
    }
}
