package kaa.rpc.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import kaa.rpc.internal.exec.IoThreads;
import kaa.rpc.internal.exec.OnIoThread;
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
        OnIoThread.run(loop -> {
            IoThreads.holdUntilDone(loop::add); // as Session.packet does for a RETN
            future.completeByConversion(() -> future.complete("converted"));
        });
        assertThat(future).as("the call's future after its conversion was refused").isDone();
        assertThat(future).isCompletedExceptionally();
    }
}
