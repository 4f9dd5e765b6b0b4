package kaa.rpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import kaa.rpc.internal.exec.CallbackExecutors;
import kaa.rpc.internal.exec.IoSafeFuture;
import kaa.rpc.internal.log.PeerLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named event a channel or server emits, such as {@code open},
 * {@code closed} and {@code client-connected}: the Java form of kaa's signals.
 *
 * <p>Callbacks run one at a time, in the order the events happened, on the
 * owner's callback executor (never on an I/O thread, and never while the
 * library holds a lock). A callback that throws is logged and does not keep
 * the others from running.
 *
 * @param <T> what the signal carries
 */
public final class Signal<T> {

    private static final Logger log = LoggerFactory.getLogger(Signal.class);
    /** Emissions follow what peers do (connections, closes): a refusing executor is told of once a second. */
    private static final PeerLog NOT_DELIVERED =
            PeerLog.warn(Signal.class, "signal not delivered");

    private final String name;
    private final Executor executor;
    private final CopyOnWriteArrayList<Slot<T>> slots = new CopyOnWriteArrayList<>();
    /** The futures of {@link #next()} not yet settled; one settled otherwise (cancelled, timed out) leaves. */
    private final Set<CompletableFuture<T>> waiters = ConcurrentHashMap.newKeySet();
    /** Holds emissions back until it is released, or null: see {@link Gate}. */
    private volatile Gate gate;

    Signal(String name, Executor executor) {
        this.name = name;
        this.executor = executor;
    }

    /**
     * {@return the signal's name, as in the original ({@code "client-connected"},
     * {@code "open"}, {@code "closed"})}
     */
    public String name() {
        return name;
    }

    /**
     * Calls {@code callback} with the value of every later emission, until disconnected.
     *
     * @param callback given each emission's value
     * @return the connection, which {@link Connection#disconnect()} ends
     */
    public Connection connect(Consumer<? super T> callback) {
        Slot<T> slot = new Slot<>(Objects.requireNonNull(callback, "callback"), callback);
        slots.add(slot);
        return () -> slots.remove(slot);
    }

    /**
     * Calls {@code callback} on every later emission, ignoring the value, until disconnected.
     *
     * @param callback run on each emission
     * @return the connection, which {@link Connection#disconnect()} ends
     */
    public Connection connect(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        Slot<T> slot = new Slot<>(value -> callback.run(), callback);
        slots.add(slot);
        return () -> slots.remove(slot);
    }

    /**
     * Disconnects every connection made with this exact callback object.
     *
     * @param callback the callback given to {@code connect}
     * @return whether there was one
     */
    public boolean disconnect(Object callback) {
        return slots.removeIf(s -> s.key == callback);
    }

    /** {@return the number of connected callbacks} */
    public int count() {
        return slots.size();
    }

    /**
     * A future for the next emission delivered. Emissions are delivered on
     * the callback executor, in order, a moment after they happen: one that
     * has happened but is not yet delivered when this is called counts as
     * the next (so {@code channel.closed().next()} just after
     * {@code channel.close()} completes), and so may the first {@code open}
     * of a client that has just opened; to wait for a later one, ask after
     * an emission that follows it has been delivered. It completes on the
     * callback executor, so its dependents do too. Waiting for it on a kaa-rpc I/O thread is
     * refused (that thread may be the one to emit); a future cancelled or
     * timed out is forgotten at once.
     *
     * @return a future of the next emission's value
     */
    public CompletableFuture<T> next() {
        CompletableFuture<T> f = new IoSafeFuture<>("the next '" + name + "' signal");
        waiters.add(f);
        f.whenComplete((v, e) -> waiters.remove(f)); // settled by anyone: by an emission, a cancel, a time-out
        return f;
    }

    /** Futures of {@link #next()} waiting, for tests. */
    int waiting() {
        return waiters.size();
    }

    /** Delivers {@code value} to every callback, on the callback executor. */
    void emit(T value) {
        emit(value, null);
    }

    /**
     * Delivers {@code value} to every callback, then runs {@code after} (if
     * not null) on the callback executor; {@code after} runs even if the
     * emission is lost.
     */
    void emit(T value, Runnable after) {
        Runnable delivery = new CallbackExecutors.Droppable() {
            @Override
            public void run() {
                try {
                    deliver(value);
                } finally {
                    if (after != null) {
                        after.run();
                    }
                }
            }

            @Override
            public void dropped() { // dropped behind a refused one: what follows still runs
                if (after != null) {
                    after.run();
                }
            }
        };
        Gate g = gate;
        if (g == null || !g.hold(() -> submit(delivery, after))) {
            submit(delivery, after);
        }
    }

    private void submit(Runnable delivery, Runnable after) {
        try {
            executor.execute(delivery);
        } catch (RuntimeException | Error e) {
            // the user's executor is shut down, or no thread could be started: the emission is lost, but not the
            // library's own work (the caller is an I/O thread or the session's close)
            NOT_DELIVERED.log("signal '{}' not delivered: the callback executor refused it ({})", name, e);
            if (after != null) {
                after.run();
            }
        }
    }

    /** From now until {@code g} is released, emissions wait for it. */
    void holdUntil(Gate g) {
        this.gate = g;
    }

    private void deliver(T value) {
        // the waiters of this emission are those that asked before it is delivered: a callback that calls
        // next() wants the emission after this one
        List<CompletableFuture<T>> due = new ArrayList<>(waiters);
        waiters.removeAll(due);
        for (Slot<T> slot : slots) {
            try {
                slot.callback.accept(value);
            } catch (RuntimeException | Error e) {
                log.warn("callback of signal '{}' failed", name, e);
            }
        }
        for (CompletableFuture<T> f : due) {
            f.complete(value);
        }
    }

    /**
     * Holds the emissions of one or more signals back, in order, until it is
     * released: a server's channel emits nothing ({@code open}, {@code closed})
     * before the server's {@code client-connected} for it has been delivered.
     */
    static final class Gate {
        /** Guards {@link #held}. */
        private final Object lock = new Object();
        /** The emissions held, in order; null once released. */
        private List<Runnable> held = new ArrayList<>();

        /** Holds {@code submit} back; false if the gate is released already (then the caller goes ahead). */
        boolean hold(Runnable submit) {
            synchronized (lock) {
                if (held == null) {
                    return false;
                }
                held.add(submit);
                return true;
            }
        }

        /** Lets the held emissions go, in order, and every later one straight through. Idempotent. */
        void release() {
            while (true) {
                List<Runnable> go;
                synchronized (lock) {
                    go = held;
                    if (go == null) {
                        return;
                    }
                    if (go.isEmpty()) {
                        held = null;
                        return;
                    }
                    held = new ArrayList<>(); // one held while these go, goes after them
                }
                go.forEach(Runnable::run);
            }
        }
    }

    /** A connected callback; {@link #disconnect()} stops it. */
    @FunctionalInterface
    public interface Connection extends AutoCloseable {

        /**
         * Stops calling the callback.
         *
         * @return whether it was still connected
         */
        boolean disconnect();

        /** As {@link #disconnect()}, without its answer; it throws nothing. */
        @Override
        default void close() {
            disconnect();
        }
    }

    private static final class Slot<T> {
        final Consumer<? super T> callback;
        final Object key;

        Slot(Consumer<? super T> callback, Object key) {
            this.callback = callback;
            this.key = key;
        }
    }
}
