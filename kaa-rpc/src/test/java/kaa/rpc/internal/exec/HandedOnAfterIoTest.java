package kaa.rpc.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * Callbacks that an I/O thread sets off while it holds go to their
 * executors after its current work, together and in order; anywhere else
 * they go at once.
 */
class HandedOnAfterIoTest {

    @Test
    void tasksGivenWhileHoldingGoAfterTheCurrentWorkInOrder() throws Exception {
        List<String> ran = new ArrayList<>();
        Executor first = IoThreads.handedOnAfterIo(r -> {
            ran.add("first:");
            r.run();
        });
        Executor second = IoThreads.handedOnAfterIo(r -> {
            ran.add("second:");
            r.run();
        });
        OnIoThread.run(loop -> {
            first.execute(() -> ran.add("not held"));
            IoThreads.holdUntilDone(loop::add);
            IoThreads.holdUntilDone(loop::add); // holding already: one hand-on
            first.execute(() -> ran.add("a"));
            second.execute(() -> ran.add("b"));
            first.execute(() -> ran.add("c"));
            assertThat(ran).containsExactly("first:", "not held");
            assertThat(loop).hasSize(1);
        });
        assertThat(ran).containsExactly("first:", "not held", "first:", "a", "second:", "b", "first:", "c");
    }

    @Test
    void offAnIoThreadNothingIsHeld() {
        List<String> ran = new ArrayList<>();
        Executor e = IoThreads.handedOnAfterIo(Runnable::run);
        List<Runnable> loop = new ArrayList<>();
        IoThreads.holdUntilDone(loop::add);
        e.execute(() -> ran.add("now"));
        assertThat(ran).containsExactly("now");
        assertThat(loop).isEmpty();
    }

    @Test
    void aRefusedTaskDoesNotStopTheOthers() throws Exception {
        List<String> ran = new ArrayList<>();
        Executor refusing = IoThreads.handedOnAfterIo(r -> {
            throw new RejectedExecutionException("shut down");
        });
        Executor fine = IoThreads.handedOnAfterIo(Runnable::run);
        OnIoThread.run(loop -> {
            IoThreads.holdUntilDone(loop::add);
            refusing.execute(() -> ran.add("refused"));
            fine.execute(() -> ran.add("ran"));
        });
        assertThat(ran).containsExactly("ran");
    }

    @Test
    void aTaskRunInlineByItsExecutorGivesItsOwnAtOnce() throws Exception {
        List<String> ran = new ArrayList<>();
        Executor inline = IoThreads.handedOnAfterIo(Runnable::run);
        OnIoThread.run(loop -> {
            IoThreads.holdUntilDone(loop::add);
            inline.execute(() -> {
                ran.add("outer");
                inline.execute(() -> ran.add("inner")); // no longer holding: runs at once, inside
                ran.add("outer done");
            });
        });
        assertThat(ran).containsExactly("outer", "inner", "outer done");
    }

    private static Object field(Object o, String name) {
        try {
            Field f = o.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return f.get(o);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** The list of a burst of 10,000 held tasks is not kept as the spare for the next. */
    @Test
    void aLargeBurstsListIsNotKeptAsTheSpare() throws Exception {
        Executor inline = IoThreads.handedOnAfterIo(Runnable::run);
        List<Object> heldList = new ArrayList<>();
        List<Object> spareAfter = new ArrayList<>();
        OnIoThread.run(loop -> {
            IoThreads.holdUntilDone(loop::add);
            for (int i = 0; i < 10_000; i++) {
                inline.execute(() -> { });
            }
            heldList.add(field(Thread.currentThread(), "held"));
            loop.add(() -> spareAfter.add(field(Thread.currentThread(), "spare"))); // after the hand-on
        });
        assertThat(spareAfter.get(0)).as("the 20,000-slot list of the burst, kept as the spare")
                .isNotSameAs(heldList.get(0));
    }

    /** A loop that refuses to run the hand-on leaves nothing held: later tasks go at once. */
    @Test
    void aHandOnTheLoopRefusesByThrowingLeavesNothingHeld() throws Exception {
        List<String> ran = new ArrayList<>();
        Executor inline = IoThreads.handedOnAfterIo(Runnable::run);
        OnIoThread.run(loop -> {
            try {
                IoThreads.holdUntilDone(task -> {
                    throw new RejectedExecutionException("shutting down");
                });
            } catch (RejectedExecutionException expected) {
                // the read goes on
            }
            inline.execute(() -> ran.add("not held"));
        });
        assertThat(ran).containsExactly("not held");
    }
}
