package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import kaa.rpc.internal.log.PeerLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** A one-way call's failure is consumed and logged, on one line; alone, so that no other test's one-way calls count. */
@Isolated
class OneWayFailureTest {

    @Test
    void aOneWayCallReturnsAtOnceAndItsFailureIsLoggedNotThrown() throws Exception {
        TypedServiceTest.JobsImpl impl = new TypedServiceTest.JobsImpl();
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(impl).listen();
                Client client = Client.connect(server.address(), "s")) {
            TypedServiceTest.Jobs jobs = client.proxy(TypedServiceTest.Jobs.class);
            assertThat(jobs.run("ok")).isEqualTo(2);
            long logged = Channel.ONE_WAY_FAILED.count();
            jobs.progress(-5); // returns while the method waits on the server
            assertThat(impl.progressStarted.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(impl.lastProgress).hasValue(-1);
            assertThat(client.session.callsInFlight()).isOne(); // the answer is still awaited
            impl.progressMayEnd.countDown();
            // the answer (an error) comes and is consumed
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((client.session.callsInFlight() > 0 || Channel.ONE_WAY_FAILED.count() == logged)
                    && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertThat(impl.lastProgress).hasValue(-5);
            assertThat(client.session.callsInFlight()).isZero();
            assertThat(Channel.ONE_WAY_FAILED.count()).isEqualTo(logged + 1);
            // a one-way call that succeeds logs nothing, and the channel goes on
            jobs.progress(60);
            assertThat(jobs.run("ok")).isEqualTo(2);
            assertThat(Channel.ONE_WAY_FAILED.count()).isEqualTo(logged + 1);
        }
    }

    /** A peer's text with line breaks in it: the line logged stays one line. */
    public interface Sink {
        @Expose
        void note(String s);
    }

    public static class Hostile implements Sink {
        @Override
        public void note(String s) {
            throw new IllegalStateException("x\n[main] ERROR kaa.rpc.Server - FORGED: secret rotated, use 'hunter2'");
        }
    }

    @Test
    void aOneWayFailureIsLoggedOnOneLine() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        PeerLog log = Channel.ONE_WAY_FAILED;
        Field sinkField = PeerLog.class.getDeclaredField("sink");
        sinkField.setAccessible(true);
        Object original = sinkField.get(log);
        Class<?> sinkType = sinkField.getType();
        Object capture = Proxy.newProxyInstance(sinkType.getClassLoader(), new Class<?>[] {sinkType},
                (p, m, a) -> {
                    if (m.getName().equals("write")) {
                        lines.add((String) a[1]);
                    }
                    return null;
                });
        sinkField.set(log, capture);
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new Hostile()).listen();
                Client client = Client.connect(server.address(), "s")) {
            Peers.await(client.whenOpen());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            // rate-limited to a line a second: tell again until one is written (bounded)
            while (lines.isEmpty() && System.nanoTime() < until) {
                long before = log.count();
                client.tell("note", "hi");
                while (log.count() == before && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
            assertThat(lines).as("a line was written").isNotEmpty();
            assertThat(lines.get(0)).as("the peer's message may not start a log line of its own")
                    .doesNotContain("\n").doesNotContain("\r");
        } finally {
            sinkField.set(log, original);
        }
    }
}
