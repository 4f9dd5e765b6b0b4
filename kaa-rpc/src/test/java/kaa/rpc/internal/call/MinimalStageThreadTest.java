package kaa.rpc.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import kaa.rpc.internal.exec.IoThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A call's future runs its dependents off the I/O thread, and so do the
 * stages made from it: {@code minimalCompletionStage()} too, whose JDK form
 * is no RpcFuture and would run them where the call completes (an
 * interceptor that chains on {@code next.proceed(call).minimalCompletionStage()}
 * would run user code on the I/O thread).
 */
class MinimalStageThreadTest {

    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void aMinimalStageOfACallsFutureRunsItsDependentsOffTheIoThread() throws Exception {
        RpcFuture<Object> f = new RpcFuture<>(executor);
        AtomicReference<Boolean> onIo = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        f.minimalCompletionStage().whenComplete((v, e) -> {
            onIo.set(IoThreads.isIoThread());
            ran.countDown();
        });
        Thread io = IoThreads.factory().newThread(() -> f.complete("answer")); // the answer read on an I/O thread
        io.start();
        io.join(10_000);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(onIo.get()).as("the dependent ran on an I/O thread").isFalse();
    }

    @Test
    void aMinimalStageCannotBeCompletedByWhoeverHoldsIt() {
        RpcFuture<Object> f = new RpcFuture<>(executor);
        CompletableFuture<Object> stage = (CompletableFuture<Object>) f.minimalCompletionStage();
        assertThatThrownBy(() -> stage.complete("forged")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> stage.obtrudeValue("forged")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(f.isDone()).isFalse();
        f.cancel(false);
    }
}
