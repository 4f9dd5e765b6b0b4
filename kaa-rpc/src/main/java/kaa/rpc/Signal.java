package kaa.rpc;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
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

    private final String name;
    private final Executor executor;
    private final CopyOnWriteArrayList<Slot<T>> slots = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<CompletableFuture<T>> waiters = new CopyOnWriteArrayList<>();

    Signal(String name, Executor executor) {
        this.name = name;
        this.executor = executor;
    }

    /** The signal's name, as in the original ({@code "client-connected"}, {@code "open"}, {@code "closed"}). */
    public String name() {
        return name;
    }

    /** Calls {@code callback} with the value of every later emission, until disconnected. */
    public Connection connect(Consumer<? super T> callback) {
        Slot<T> slot = new Slot<>(Objects.requireNonNull(callback, "callback"), callback);
        slots.add(slot);
        return () -> slots.remove(slot);
    }

    /** Calls {@code callback} on every later emission, ignoring the value, until disconnected. */
    public Connection connect(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        Slot<T> slot = new Slot<>(value -> callback.run(), callback);
        slots.add(slot);
        return () -> slots.remove(slot);
    }

    /** Disconnects every connection made with this exact callback object. Returns whether there was one. */
    public boolean disconnect(Object callback) {
        return slots.removeIf(s -> s.key == callback);
    }

    /** The number of connected callbacks. */
    public int count() {
        return slots.size();
    }

    /**
     * A future for the next emission. It completes on the callback executor,
     * so its dependents do too.
     */
    public CompletableFuture<T> next() {
        CompletableFuture<T> f = new CompletableFuture<>();
        waiters.add(f);
        return f;
    }

    /** Delivers {@code value} to every callback, on the callback executor. */
    void emit(T value) {
        try {
            executor.execute(() -> deliver(value));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the user's executor is shut down: the emission is lost, but not the library's own work
            log.warn("signal '{}' not delivered: the callback executor refused it ({})", name, e.getMessage());
        }
    }

    private void deliver(T value) {
        // the waiters of this emission are those that asked before it is delivered: a callback that calls
        // next() wants the emission after this one
        java.util.List<CompletableFuture<T>> due = new java.util.ArrayList<>(waiters);
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

    /** A connected callback; {@link #disconnect()} stops it. */
    @FunctionalInterface
    public interface Connection extends AutoCloseable {

        /** Stops calling the callback. Returns whether it was still connected. */
        boolean disconnect();

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
