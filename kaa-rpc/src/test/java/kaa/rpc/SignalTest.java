package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import kaa.rpc.internal.exec.CallbackExecutors;
import org.assertj.core.api.Assertions;
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
        Signal<String> signal = new Signal<>("closed", CallbackExecutors.serial(sometimes));
        CompletableFuture<String> next = signal.next();
        signal.emit("lost"); // must not throw into the library's thread
        refuse[0] = false;
        signal.emit("delivered"); // and the serial executor is not left thinking it runs
        assertThat(next).isCompletedWithValue("delivered");
    }

    @Test
    void anExecutorThatCannotStartAThreadLosesTheEmissionNotTheSignal() {
        boolean[] refuse = {true};
        Executor outOfThreads = task -> {
            if (refuse[0]) {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
            }
            task.run();
        };
        Signal<String> signal = new Signal<>("closed", CallbackExecutors.serial(outOfThreads));
        CompletableFuture<String> next = signal.next();
        signal.emit("lost");
        refuse[0] = false;
        signal.emit("delivered");
        assertThat(next).isCompletedWithValue("delivered");
    }

    @Test
    void callbacksQueuedWhileTheExecutorRefusedAreNotLeftWithoutADrain() {
        // a callback queued while another's hand-off is being refused trusted that drain: it must run, or go
        List<Runnable> handedOff = new ArrayList<>();
        Executor[] serial = new Executor[1];
        List<String> ran = new ArrayList<>();
        boolean[] first = {true};
        Executor refusesOnce = task -> {
            if (first[0]) {
                first[0] = false;
                serial[0].execute(() -> ran.add("queued meanwhile")); // as another thread would, meanwhile
                throw new RejectedExecutionException("busy");
            }
            handedOff.add(task);
        };
        serial[0] = CallbackExecutors.serial(refusesOnce);
        Assertions.assertThatThrownBy(() -> serial[0].execute(() -> ran.add("refused")))
                .isInstanceOf(RejectedExecutionException.class);
        assertThat(handedOff).hasSize(1);
        handedOff.get(0).run();
        assertThat(ran).containsExactly("queued meanwhile");
    }

    @Test
    void anInterruptOneCallbackLeavesDoesNotReachTheNext() {
        Signal<String> signal = new Signal<>("open", CallbackExecutors.serial(Runnable::run));
        List<Boolean> interrupted = new ArrayList<>();
        signal.connect(value -> {
            interrupted.add(Thread.currentThread().isInterrupted());
            Thread.currentThread().interrupt(); // left behind
        });
        signal.emit("a");
        signal.emit("b");
        assertThat(interrupted).containsExactly(false, false);
        assertThat(Thread.interrupted()).isFalse(); // nor reaches the thread's own work after
    }

    @Test
    void waitersThatGiveUpAreForgotten() {
        Signal<String> signal = new Signal<>("never", Runnable::run);
        for (int i = 0; i < 100_000; i++) {
            CompletableFuture<String> f = signal.next();
            if (i % 2 == 0) {
                f.cancel(false);
            } else {
                f.completeExceptionally(new TimeoutException()); // as orTimeout does
            }
        }
        assertThat(signal.waiting()).isZero();
        CompletableFuture<String> kept = signal.next();
        assertThat(signal.waiting()).isOne();
        signal.emit("at last");
        assertThat(kept).isCompletedWithValue("at last");
        assertThat(signal.waiting()).isZero();
    }

    @Test
    void aGateHoldsEmissionsInOrderUntilReleased() {
        List<String> seen = new ArrayList<>();
        Executor serial = CallbackExecutors.serial(Runnable::run);
        Signal<String> open = new Signal<>("open", serial);
        Signal<String> closed = new Signal<>("closed", serial);
        open.connect(v -> seen.add("open " + v));
        closed.connect(v -> seen.add("closed " + v));
        Signal.Gate gate = new Signal.Gate();
        open.holdUntil(gate);
        closed.holdUntil(gate);
        open.emit("1");
        closed.emit("2");
        assertThat(seen).isEmpty();
        gate.release();
        closed.emit("3");
        assertThat(seen).containsExactly("open 1", "closed 2", "closed 3");
    }

    /**
     * An emission queued behind one whose drain the executor refused, and
     * then refused again, is dropped: what was to run after it (a server's
     * release of a channel's open and closed signals) must run all the same,
     * as it does for the refused emission itself, or that channel's signals
     * are held for ever.
     */
    @Test
    void whatRunsAfterAnEmissionRunsWhenTheSerialExecutorDropsIt() {
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean firstAfter = new AtomicBoolean();
        AtomicBoolean secondAfter = new AtomicBoolean();
        AtomicReference<Signal<String>> signal = new AtomicReference<>();
        Executor refusing = task -> {
            if (calls.incrementAndGet() == 1) { // another emission comes while the first drain is being handed on
                signal.get().emit("second", () -> secondAfter.set(true));
            }
            throw new RejectedExecutionException("queue full");
        };
        signal.set(new Signal<>("client-connected", CallbackExecutors.serial(refusing)));

        signal.get().emit("first", () -> firstAfter.set(true));

        assertThat(firstAfter).as("after the refused emission").isTrue();
        assertThat(secondAfter).as("after the emission dropped behind it").isTrue();
    }
}
