package kaa.rpc.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import kaa.rpc.internal.exec.IoThreads;
import org.junit.jupiter.api.Test;

/**
 * An answer whose conversion the executor refuses, when the I/O thread hands
 * it on after the read, still settles its future: its time-out was cancelled
 * when the answer came, so nothing else would.
 */
class ConversionRefusedTest {

    @Test
    void aConversionTheExecutorRefusesStillSettlesTheFuture() throws Exception {
        Executor refusing = task -> {
            throw new RejectedExecutionException("executor saturated");
        };
        RpcFuture<String> future = new RpcFuture<>(IoThreads.handedOnAfterIo(refusing));
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread io = IoThreads.factory().newThread(() -> {
            try {
                ArrayDeque<Runnable> loop = new ArrayDeque<>();
                IoThreads.holdUntilDone(loop::add); // as Session.packet does for a RETN
                future.completeByConversion(() -> future.complete("converted"));
                for (Runnable r = loop.poll(); r != null; r = loop.poll()) {
                    r.run();
                }
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        io.start();
        done.get(30, TimeUnit.SECONDS);
        assertThat(future).as("the call's future after its conversion was refused").isDone();
        assertThat(future).isCompletedExceptionally();
    }
}
