package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One session under everything at once, for a bounded number of calls:
 * pipelined calls past {@code maxConcurrentCalls} on both sides, reconnects
 * under {@code retry}, cancellations, {@code orTimeout}, per-call time-outs and
 * futures the caller completes, over plain TCP and TLS. Afterwards every
 * future settled once with a value or an expected failure, the call tables
 * are empty, no connection is left unread, and (Netty's leak detection at its
 * most thorough, isolated for that) no buffer leaked.
 */
@Isolated
@Execution(ExecutionMode.SAME_THREAD) // the leak detector's listener is one for the JVM: one test at a time
class StressTest {

    @TempDir
    static Path dir;

    /** A quick answer, and one that comes a little later, off any I/O thread. */
    public static final class Service {
        @Expose
        public int echo(int i) {
            return i;
        }

        @Expose
        public CompletionStage<Integer> slow(int i) {
            return CompletableFuture.supplyAsync(() -> i,
                    CompletableFuture.delayedExecutor(1 + i % 3, TimeUnit.MILLISECONDS));
        }
    }

    private static final int CALLS = 3000;

    @ParameterizedTest(name = "tls {0}")
    @ValueSource(booleans = {false, true})
    void everyCallSettlesOnceAndNothingIsLeftBehind(boolean tls) throws Exception {
        Certificates certs = tls ? new Certificates(Files.createTempDirectory(dir, "certs")) : null;
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        LeakWatch leaks = new LeakWatch(false);
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try {
            Server.Builder sb = Server.builder("127.0.0.1:0").secret("s").maxConcurrentCalls(4).register(new Service());
            if (tls) {
                sb.tls(Certificates.context(certs.serverKeys, certs.trustsClient));
            }
            try (Server server = sb.listen()) {
                Client.Builder cb = Client.builder(server.address()).secret("s").retry(Duration.ofMillis(20))
                        .maxConcurrentCalls(4).register(new Service());
                if (tls) {
                    cb.tls(Certificates.context(null, certs.trustsServer));
                }
                try (Client client = cb.connect()) {
                    run(server, client);
                }
            }
            assertThat(leaks.count()).as("buffers leaked: %s", leaks.seen).isZero();
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    private static void run(Server server, Client client) throws Exception {
        await(client.whenOpen());
        Random random = new Random(42);
        List<CompletableFuture<Object>> calls = new ArrayList<>();
        List<Integer> kinds = new ArrayList<>();
        List<AtomicInteger> settled = new ArrayList<>();
        ArrayDeque<CompletableFuture<Object>> window = new ArrayDeque<>();
        for (int i = 0; i < CALLS; i++) {
            if (i % 500 == 250) {
                server.channels().forEach(Channel::close); // the client reconnects under retry
            }
            if (i % 7 == 3) { // and the server calls the client, past its limit too
                server.channels().forEach(ch -> ch.rpc("slow", 1));
            }
            int kind = random.nextInt(6);
            CompletableFuture<Object> call;
            switch (kind) {
                case 0 -> call = client.rpc("echo", i);
                case 1 -> call = client.rpc("slow", i);
                case 2 -> call = client.rpc("slow", i).orTimeout(1, TimeUnit.MILLISECONDS);
                case 3 -> {
                    call = client.rpc("slow", i);
                    call.cancel(false);
                }
                case 4 -> {
                    call = client.rpc("slow", i);
                    call.complete(-1);
                }
                default -> call = client.withTimeout(Duration.ofMillis(2)).rpc("slow", i);
            }
            AtomicInteger count = new AtomicInteger();
            call.whenComplete((v, e) -> count.incrementAndGet());
            calls.add(call);
            kinds.add(kind);
            settled.add(count);
            window.add(call);
            if (window.size() > 64) { // 64 outstanding at most
                settle(window.poll());
            }
        }
        for (int i = 0; i < CALLS; i++) {
            Object outcome = settle(calls.get(i));
            int kind = kinds.get(i);
            if (outcome instanceof Throwable) {
                assertThat((Throwable) outcome).as("call %d (kind %d)", i, kind).isInstanceOfAny(
                        NotConnectedException.class, TimeoutException.class, CancellationException.class,
                        RejectedExecutionException.class);
            } else {
                assertThat(outcome).as("call %d (kind %d)", i, kind).isEqualTo(kind == 4 ? -1 : i);
            }
        }
        // calls fail at once while the client reconnects (in the retry delay and the new handshake alike)
        waitUntil(client::isConnected, "the client reconnects");
        assertThat(await(client.rpc("echo", 7))).isEqualTo(7);
        for (int i = 0; i < CALLS; i++) { // the dependent ran once: the future settled once
            long deadline = System.nanoTime() + Peers.WAIT.toNanos();
            while (settled.get(i).get() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(settled.get(i).get()).as("settlements of call %d", i).isEqualTo(1);
        }
        waitUntil(() -> client.session.callsInFlight() == 0, "the client's call table empties");
        waitUntil(() -> !client.session.isReadingPaused(), "the client reads");
        for (Channel ch : server.channels()) {
            waitUntil(() -> ch.session.callsInFlight() == 0 && !ch.session.isReadingPaused(),
                    "the server's channel reads and has no call left");
        }
    }

    /** The value of a settled call, or what it failed with. */
    private static Object settle(CompletableFuture<Object> call) throws Exception {
        try {
            return call.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        }
    }

    private static void waitUntil(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Peers.WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    /**
     * Counts the leaks Netty's detector reports for buffers. It finds them
     * when a buffer that was never released is collected, and reports them as
     * later buffers are made: so {@link #count} collects, then makes some.
     */
    private static final class LeakWatch {
        private final AtomicInteger leaks = new AtomicInteger();
        /** The access records of the leaks seen, for the failure's message. */
        final List<String> seen = new CopyOnWriteArrayList<>();

        /**
         * Counts the leaks the detector reports from now on; but those of
         * {@link #leakSome} unless {@code ofLeakSome} (the detector reports a leak
         * whenever the collector finds it, so the self-test's may come up during another test).
         */
        LeakWatch(boolean ofLeakSome) throws Exception {
            Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
            f.setAccessible(true);
            ((ResourceLeakDetector<?>) f.get(null)).setLeakListener((type, records) -> {
                if (ofLeakSome || !records.contains("leakSome")) {
                    seen.add(records);
                    leaks.incrementAndGet();
                }
            });
        }

        int count() {
            for (int round = 0; round < 10; round++) {
                System.gc();
                for (int i = 0; i < 100; i++) {
                    ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(64);
                    b.release();
                }
            }
            return leaks.get();
        }
    }

    /** Buffers never released, and no reference to them left once this returns. */
    private static void leakSome() {
        for (int i = 0; i < 10; i++) {
            PooledByteBufAllocator.DEFAULT.buffer(64).writeInt(i);
        }
    }

    @Test
    void theLeakWatchSeesALeak() throws Exception {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try {
            LeakWatch leaks = new LeakWatch(true);
            leakSome();
            assertThat(leaks.count()).isPositive();
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }
}
