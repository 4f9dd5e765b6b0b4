package kaa.rpc.internal.exec;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kaa.rpc.internal.call.RpcFuture;

/**
 * A future whose blocking waits ({@code get}, {@code join}) are refused on an
 * I/O thread while it is not done, as {@link RpcFuture}'s are: for the
 * futures of signals and of a server's close, which that thread may be the
 * one to complete. Futures derived from it refuse so too.
 */
public class IoSafeFuture<T> extends CompletableFuture<T> {

    private final String what;

    public IoSafeFuture(String what) {
        this.what = what;
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        refuse();
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        refuse();
        return super.get(timeout, unit);
    }

    @Override
    public T join() {
        refuse();
        return super.join();
    }

    private void refuse() {
        if (!isDone()) {
            IoThreads.refuseBlocking("waiting for " + what);
        }
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new IoSafeFuture<>(what);
    }
}
