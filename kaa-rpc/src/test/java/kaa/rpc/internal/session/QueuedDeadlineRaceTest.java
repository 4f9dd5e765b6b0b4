package kaa.rpc.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import kaa.rpc.internal.call.RpcFuture;
import kaa.rpc.internal.dispatch.CallSource;
import kaa.rpc.internal.dispatch.CommandTable;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.net.Connection;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.SendPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A call queued before open, with a deadline longer than the ready time-out,
 * taken and sent by the I/O thread's {@code opened} between the arming of its
 * deadline and of its ready timer: only the ready timer is cancelled, and the
 * call still times out.
 *
 * <p>Deterministic: the session's timer executor is the seam; the open runs
 * (on another thread, joined) right after the deadline is scheduled, i.e.
 * just after the session's lock was released by route().
 */
class QueuedDeadlineRaceTest {

    /** Timers that let the connection open right after the first schedule (the call's deadline). */
    static final class OpeningTimers extends ScheduledThreadPoolExecutor {
        volatile Runnable onFirstSchedule;
        final AtomicReference<ScheduledFuture<?>> first = new AtomicReference<>();

        OpeningTimers() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            ScheduledFuture<?> f = super.schedule(command, delay, unit);
            if (first.compareAndSet(null, f)) {
                Runnable r = onFirstSchedule;
                if (r != null) {
                    r.run();
                }
            }
            return f;
        }
    }

    private final OpeningTimers timers = new OpeningTimers();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void aQueuedCallSentByOpenBeforeItsReadyTimerIsArmedKeepsItsDeadline() throws Exception {
        Session session = new Session(null, new CommandTable(null), Runnable::run, new Session.Listener() {
            @Override
            public void opened() {
            }

            @Override
            public void closed(Throwable reason) {
            }
        }, false, 1024, SendPolicy.DEFAULT, false, false, FrameLimits.DEFAULT_MAX_FRAME_SIZE, DecimalLimits.DEFAULT,
                Duration.ofMillis(100), timers); // ready time-out 100 ms
        EmbeddedChannel ch = new EmbeddedChannel();
        Connection c = Connection.of(ch);
        Session.Link link = session.attach(c, c, new CallSource.Registry().join(new Object(), c)); // CONNECTING
        timers.onFirstSchedule = () -> {
            // the I/O thread: the handshake completes and opened() takes the queue and sends the call
            Thread io = new Thread(() -> {
                c.opened(Dialect.JAVA);
                session.opened(link);
            });
            io.start();
            try {
                io.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };

        // a deadline of 300 ms, longer than the ready time-out: both timers are armed
        RpcFuture<Object> f = session.call("slow", new Object[0], Map.of(), Object.class, Duration.ofMillis(300), false);

        assertThat(session.isOpen()).isTrue();
        assertThat(session.callsInFlight()).as("sent, waiting for its answer").isEqualTo(1);
        ScheduledFuture<?> deadline = timers.first.get();
        assertThat((Object) deadline).isNotNull();
        assertThat(deadline.isCancelled())
                .as("the call still has its deadline")
                .isFalse();
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(TimeoutException.class);
        } finally {
            f.cancel(false);
            ch.finishAndReleaseAll();
        }
    }
}
