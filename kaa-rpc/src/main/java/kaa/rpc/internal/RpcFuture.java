package kaa.rpc.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The future of a call. It is completed on an I/O thread, which is cheap for
 * a caller blocked in {@code get()}; so that no user code runs on that
 * thread, every dependent action added through this future's non-async
 * methods ({@code thenApply}, {@code whenComplete}, ...) runs on the channel's
 * callback executor instead, as if the {@code ...Async} form had been used.
 * A blocking wait on an I/O thread, which would deadlock, is refused.
 */
public final class RpcFuture<T> extends IoSafeFuture<T> {

    private final Executor executor;
    private volatile Runnable onSettled;

    public RpcFuture(Executor executor) {
        super("an RPC result");
        this.executor = executor;
    }

    /**
     * What to do when the future is settled, by the answer or by anyone
     * else: a caller that cancels, completes or obtrudes it, or
     * {@code orTimeout}, means the call is no longer wanted, and the library
     * forgets it (it must be idempotent: it also runs for the answer).
     */
    void onSettled(Runnable action) {
        this.onSettled = action;
    }

    /**
     * Runs the action before the future is settled, so that whoever sees it
     * done sees the call forgotten too; if another settles it first, the
     * action has done no harm (forgetting is idempotent).
     */
    private void settling() {
        Runnable action = onSettled;
        if (action != null && !isDone()) {
            action.run();
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        settling();
        return super.cancel(mayInterruptIfRunning);
    }

    @Override
    public boolean complete(T value) {
        settling();
        return super.complete(value);
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        settling();
        return super.completeExceptionally(ex);
    }

    @Override
    public void obtrudeValue(T value) {
        settling();
        super.obtrudeValue(value);
    }

    @Override
    public void obtrudeException(Throwable ex) {
        settling();
        super.obtrudeException(ex);
    }

    // CompletableFuture's own completeAsync completes without the public methods above
    @Override
    public CompletableFuture<T> completeAsync(java.util.function.Supplier<? extends T> supplier, Executor exec) {
        exec.execute(() -> {
            try {
                complete(supplier.get());
            } catch (Throwable t) {
                completeExceptionally(t);
            }
        });
        return this;
    }

    @Override
    public CompletableFuture<T> completeAsync(java.util.function.Supplier<? extends T> supplier) {
        return completeAsync(supplier, defaultExecutor());
    }

    @Override
    public Executor defaultExecutor() {
        return executor;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new RpcFuture<>(executor);
    }

    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        return thenApplyAsync(fn);
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        return thenAcceptAsync(action);
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        return thenRunAsync(action);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombine(CompletionStage<? extends U> other,
            BiFunction<? super T, ? super U, ? extends V> fn) {
        return thenCombineAsync(other, fn);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends U> other,
            BiConsumer<? super T, ? super U> action) {
        return thenAcceptBothAsync(other, action);
    }

    @Override
    public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        return runAfterBothAsync(other, action);
    }

    @Override
    public <U> CompletableFuture<U> applyToEither(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        return applyToEitherAsync(other, fn);
    }

    @Override
    public CompletableFuture<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
        return acceptEitherAsync(other, action);
    }

    @Override
    public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        return runAfterEitherAsync(other, action);
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        return thenComposeAsync(fn);
    }

    @Override
    public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        return handleAsync(fn);
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        return whenCompleteAsync(action);
    }

    @Override
    public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        return exceptionallyAsync(fn);
    }

    @Override
    public CompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        return exceptionallyComposeAsync(fn);
    }
}
