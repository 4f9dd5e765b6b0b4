package kaa.rpc.internal.dispatch;

import java.time.Duration;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import kaa.rpc.Expose;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.net.Connection;
import kaa.rpc.internal.net.EventLoops;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.SendPolicy;
import kaa.rpc.internal.session.Session;
import org.junit.jupiter.api.Test;

/** What a callee does with a call its caller let go (a Java peer's CNCL). */
class CancelledCallsTest {

    public static final class Sleeper {
        final CountDownLatch started = new CountDownLatch(1);

        @Expose(interruptible = true)
        public String sleep() throws InterruptedException {
            started.countDown();
            new CountDownLatch(1).await(10, TimeUnit.SECONDS); // until interrupted
            return "woke";
        }
    }

    private static List<Integer> answerTypes(EmbeddedChannel ch) {
        List<Integer> types = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            while (b.readableBytes() >= Packet.HEADER_SIZE) {
                types.add(b.getInt(b.readerIndex() + 4));
                b.skipBytes((int) (Packet.HEADER_SIZE + b.getUnsignedIntLE(b.readerIndex() + 8)));
            }
            b.release();
        }
        return types;
    }

    /**
     * An interruptible method cancelled while it runs throws (its wait was
     * interrupted): the call was let go, so no answer is sent, as none is
     * for one that returns.
     */
    @Test
    void anInterruptedMethodThatThrowsSendsNoAnswer() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            CommandTable commands = new CommandTable(null);
            Sleeper sleeper = new Sleeper();
            commands.register(sleeper);
            Session session = new Session(null, commands, executor, new Session.Listener() {
                @Override
                public void opened() {
                }

                @Override
                public void closed(Throwable reason) {
                }
            }, false, 1024, SendPolicy.DEFAULT, false, false, FrameLimits.DEFAULT_MAX_FRAME_SIZE,
                    DecimalLimits.DEFAULT, Duration.ofSeconds(30), EventLoops.timers());
            EmbeddedChannel ch = new EmbeddedChannel();
            Connection c = Connection.of(ch);
            Session.Link link = session.attach(c, c, new CallSource.Registry().join(new Object(), c));

            ByteBuf call = Unpooled.buffer();
            PickleWriter.writeCall(call, "sleep", new Object[0], Map.of());
            session.packet(link, new Packet(7, Packet.CALL, call));
            assertThat(sleeper.started.await(10, TimeUnit.SECONDS)).isTrue();
            session.packet(link, new Packet(7, Packet.CNCL, Unpooled.buffer(0)));
            executor.submit(() -> { }).get(10, TimeUnit.SECONDS); // the call has ended: one thread, in order
            ch.runPendingTasks();

            assertThat(answerTypes(ch)).as("answers sent for the cancelled call").isEmpty();
            ch.finishAndReleaseAll();
        } finally {
            executor.shutdownNow();
        }
    }
}
