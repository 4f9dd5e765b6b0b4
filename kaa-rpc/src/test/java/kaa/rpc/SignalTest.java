package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Signals deliver each emission to those who asked before it, and survive an executor that refuses. */
class SignalTest {

    @Test
    void nextAskedInsideACallbackIsTheFollowingEmission() {
        Signal<String> signal = new Signal<>("open", Runnable::run);
        AtomicReference<CompletableFuture<String>> asked = new AtomicReference<>();
        signal.connect(value -> asked.compareAndSet(null, signal.next()));
        CompletableFuture<String> before = signal.next();
        signal.emit("first");
        assertThat(before).isCompletedWithValue("first");
        assertThat(asked.get()).isNotDone();
        signal.emit("second");
        assertThat(asked.get()).isCompletedWithValue("second");
    }

    @Test
    void anExecutorThatRefusesLosesTheEmissionNotTheCaller() {
        boolean[] refuse = {true};
        Executor sometimes = task -> {
            if (refuse[0]) {
                throw new RejectedExecutionException("shut down");
            }
            task.run();
        };
        Signal<String> signal = new Signal<>("closed", kaa.rpc.internal.Executors.serial(sometimes));
        CompletableFuture<String> next = signal.next();
        signal.emit("lost"); // must not throw into the library's thread
        refuse[0] = false;
        signal.emit("delivered"); // and the serial executor is not left thinking it runs
        assertThat(next).isCompletedWithValue("delivered");
    }
}
