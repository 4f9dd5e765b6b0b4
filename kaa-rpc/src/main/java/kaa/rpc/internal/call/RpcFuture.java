package kaa.rpc.internal.call;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import kaa.rpc.internal.exec.IoSafeFuture;
import kaa.rpc.internal.exec.IoThreads;

/**
 * The future of a call. It is completed on an I/O thread, which is cheap for
 * a caller blocked in {@code get()}; so that no user code runs on that
 * thread, every dependent action added through this future's non-async
 * methods ({@code thenApply}, {@code whenComplete}, ...) runs on the channel's
 * callback executor instead, as if the {@code ...Async} form had been used.
 * A blocking wait on an I/O thread, which would deadlock, is refused. An
 * answer that must be converted by user code (a record, a bean) is converted
 * by a caller blocked in {@code get} or {@code join} if there is one, and on
 * the executor otherwise: a caller that holds the executor's last thread
 * still gets its answer.
 */
public final class RpcFuture<T> extends IoSafeFuture<T> {

    private final Executor executor;
    private volatile Runnable onSettled;
    /**
     * An answer that arrived but still needs converting (to a record or a
     * bean: user constructors, so not on the I/O thread), run once by
     * whoever comes first: a thread waiting in {@code get} or {@code join},
     * or the executor. A callee on a one-thread executor that waits for its
     * own call back thus converts the answer itself, instead of waiting for
     * the thread it holds.
     */
    private volatile Runnable conversion;
    private final AtomicBoolean converting = new AtomicBoolean();
    /** Made by the first blocked waiter: completed once a conversion is pending or this future is done. */
    private volatile CompletableFuture<Void> wake;

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
     * Runs {@code action} where this future completes, an I/O thread too: for
     * the library's own quick hand-on of a result to another future (whose
     * dependents go to the executor as ever), never for user code.
     */
    void whenCompleteHere(BiConsumer<? super T, ? super Throwable> action) {
        super.whenComplete(action);
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

    /** Wakes the waiters: a conversion waits for them (written before this is called). */
    private void conversionPending() {
        CompletableFuture<Void> w = wake;
        if (w != null) {
            w.complete(null);
        }
    }

    /**
     * The answer has arrived and {@code convert} completes this future with
     * it: run by a waiting caller if there is one, else on the executor.
     */
    void completeByConversion(Runnable convert) {
        Conversion c = new Conversion(convert);
        conversion = c;
        conversionPending();
        try {
            executor.execute(c);
        } catch (RejectedExecutionException e) {
            c.refused(e);
        }
    }

    /** An answer's conversion, run once by whoever comes first; refused by the executor, it fails the future. */
    private final class Conversion implements IoThreads.Refusable {
        private final Runnable convert;

        Conversion(Runnable convert) {
            this.convert = convert;
        }

        @Override
        public void run() {
            if (converting.compareAndSet(false, true)) {
                convert.run();
            }
        }

        @Override
        public void refused(RuntimeException why) {
            if (converting.compareAndSet(false, true)) {
                completeExceptionally(why);
            }
        }
    }

    /** Waits until this future is done or its answer waits to be converted, which this thread then does. */
    private void awaitAnswer(long nanos) throws InterruptedException, TimeoutException, ExecutionException {
        if (isDone()) {
            return;
        }
        CompletableFuture<Void> w = wake;
        if (w == null) {
            CompletableFuture<Void> made = new CompletableFuture<>();
            if (WAKE.compareAndSet(this, null, made)) {
                // however this future is completed (a dependent's is completed inside CompletableFuture)
                super.whenComplete((v, e) -> made.complete(null));
                w = made;
            } else {
                w = wake;
            }
        }
        if (conversion != null) { // pending before the waiter was there to be woken
            w.complete(null);
        }
        if (nanos < 0) {
            w.get();
        } else {
            w.get(nanos, TimeUnit.NANOSECONDS);
        }
        Runnable c = conversion;
        if (c != null) {
            c.run();
        }
    }

    private static final VarHandle WAKE;

    static {
        try {
            WAKE = MethodHandles.lookup().findVarHandle(RpcFuture.class, "wake",
                    CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
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
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor exec) {
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
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
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
    public T get() throws InterruptedException, ExecutionException {
        refuseBlockingOnIoThread();
        try {
            awaitAnswer(-1);
        } catch (TimeoutException never) {
            throw new AssertionError(never);
        }
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        refuseBlockingOnIoThread();
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        awaitAnswer(Math.max(0, unit.toNanos(timeout))); // a negative time-out waits no time, not for ever
        return super.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public T join() {
        refuseBlockingOnIoThread();
        boolean interrupted = false;
        while (true) { // join is not interruptible: wait on, as CompletableFuture does, and keep the interrupt
            try {
                awaitAnswer(-1);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | TimeoutException e) {
                break; // settled: join reports it below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return super.join();
    }

    /** Before this future's own wait (which the I/O thread's refusal in the superclass would come too late for). */
    private void refuseBlockingOnIoThread() {
        if (!isDone()) {
            IoThreads.refuseBlocking("waiting for an RPC result");
        }
    }

    /**
     * A stage of this call's outcome whose dependents, as this future's, run
     * on the executor: the JDK's own minimal stage would run them wherever
     * this completes, an I/O thread for an answer.
     */
    @Override
    public CompletionStage<T> minimalCompletionStage() {
        // a stage made on the executor, then the JDK's minimal view of it: nobody who holds it can complete it
        return ((RpcFuture<T>) thenApply(Function.<T>identity())).jdkMinimalStage();
    }

    private CompletionStage<T> jdkMinimalStage() {
        return super.minimalCompletionStage();
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
