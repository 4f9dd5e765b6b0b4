package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Orders of events that once broke a guarantee: each test drives one interleaving on purpose. */
class InterleavingTest {

    @TempDir
    Path dir;

    public static final class Service {
        final CountDownLatch blocking = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger recorded = new AtomicInteger();

        @Expose
        public String echo(String s) {
            return s;
        }

        @Expose
        public String block() throws InterruptedException {
            blocking.countDown();
            release.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return "done";
        }

        @Expose
        public int record() {
            return recorded.incrementAndGet();
        }

        final AtomicInteger holding = new AtomicInteger();
        final CountDownLatch held = new CountDownLatch(4);
        final CountDownLatch letGo = new CountDownLatch(1);

        /** Blocks, uninterruptibly as far as the library knows, until the test lets go. */
        @Expose
        public String hold() throws InterruptedException {
            holding.incrementAndGet();
            held.countDown();
            try {
                letGo.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                return "held";
            } finally {
                holding.decrementAndGet();
            }
        }

        /** How many calls of hold() run while this one does. */
        @Expose
        public int holders() {
            return holding.get();
        }
    }

    @Test
    void directCallsAtTheConcurrencyLimitResumeReadingWithoutRecursion() throws Exception {
        // each finished direct call frees the one slot and resumes reading: from a task, never from inside the
        // decode that runs the call, or 2,000 pipelined calls nest 2,000 decodes deep
        int calls = 2_000;
        try (Server server = Server.builder("127.0.0.1:0").secret("s").maxConcurrentCalls(1).directDispatch()
                .register(new Service()).listen();
                RawPeer peer = new RawPeer(server.address()).authenticate("s")) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 1; i <= calls; i++) {
                all.write(WireFrames.callFrame(i, "echo", "x" + i));
            }
            peer.sendRaw(all.toByteArray());
            for (int i = 1; i <= calls; i++) {
                WireFrames.Frame answer = peer.read();
                assertThat(answer.type()).isEqualTo("RETN");
                assertThat(answer.seq()).isEqualTo(i);
            }
            assertThat(server.channels()).hasSize(1);
        }
    }

    @Test
    void aCallDuringAReconnectAttemptsHandshakeFailsAtOnce() throws Exception {
        Server server = Server.builder("127.0.0.1:0").secret("s").register(new Service()).listen();
        String address = server.address();
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        try (Client client = Client.builder(address).secret("s").retry(Duration.ofMillis(20)).connect()) {
            await(client.whenOpen());
            CompletableFuture<Throwable> closed = client.closed().next();
            server.close();
            await(closed);
            // something answers the address again, but never completes a handshake
            try (ServerSocket squatter = new ServerSocket()) {
                squatter.setReuseAddress(true); // the server's closed connections may still hold the port
                squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
                squatter.setSoTimeout((int) Peers.WAIT.toMillis());
                try (Socket attempt = squatter.accept()) {
                    CompletableFuture<Object> call = client.rpc("echo", "x");
                    assertThat(failure(call)).isInstanceOf(NotConnectedException.class);
                }
            }
        }
    }

    @Test
    void aCallRefusedForBackpressureSendsNoCancel() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout((int) Peers.WAIT.toMillis());
            try (Client client = Client.connect("127.0.0.1:" + listener.getLocalPort(), "s");
                    Socket socket = listener.accept()) {
                FakeServer fake = new FakeServer(socket, "s");
                fake.handshake(FakeServer.javaServerChallenge());
                await(client.whenOpen());
                // the server reads nothing: calls fill the socket and then the outbound queue
                byte[] big = new byte[1 << 20];
                List<CompletableFuture<Object>> sent = new ArrayList<>();
                Throwable refused = null;
                for (int i = 0; i < 200 && refused == null; i++) {
                    CompletableFuture<Object> f = client.rpc("echo", big);
                    if (f.isCompletedExceptionally()) {
                        refused = failure(f);
                    } else {
                        sent.add(f);
                    }
                }
                assertThat(refused).isInstanceOf(RejectedExecutionException.class);
                int refusals = 0;
                for (int i = 0; i < 20_000; i++) {
                    if (client.rpc("echo", "x").isCompletedExceptionally()) {
                        refusals++;
                    }
                }
                assertThat(refusals).isPositive();
                // now the server reads: every CNCL it gets must be of a call whose CALL it got first
                BlockingQueue<WireFrames.Frame> frames = new LinkedBlockingQueue<>();
                Thread reader = new Thread(() -> {
                    try {
                        while (true) {
                            frames.add(fake.read());
                        }
                    } catch (Exception closed) {
                        // the test is over
                    }
                });
                reader.setDaemon(true);
                reader.start();
                long deadline = System.nanoTime() + Peers.WAIT.toNanos();
                while (client.rpc("echo", "last").isCompletedExceptionally()) {
                    assertThat(System.nanoTime()).as("the client may send again").isLessThan(deadline);
                    Thread.onSpinWait();
                }
                readUntilTheLastCall(() -> {
                    WireFrames.Frame f = frames.poll(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    assertThat(f).as("the last call arrives").isNotNull();
                    return f;
                });
            }
        }
    }

    /** What a peer received: CALL frames, CNCL frames, and all frames. */
    private record Traffic(int calls, int cancels, int frames) {
    }

    /**
     * Reads frames until the CALL of {@code "last"}, checking that every
     * CNCL comes after the CALL it cancels.
     */
    private static Traffic readUntilTheLastCall(Callable<WireFrames.Frame> next) throws Exception {
        Set<Integer> seen = new HashSet<>();
        int frames = 0;
        int cancels = 0;
        while (true) {
            WireFrames.Frame f = next.call();
            frames++;
            if (f.type().equals("CALL")) {
                seen.add(f.seq());
                if (Arrays.deepToString((Object[]) f.value()).contains("last")) {
                    return new Traffic(seen.size(), cancels, frames);
                }
            } else {
                assertThat(f.type()).isEqualTo("CNCL");
                assertThat(seen).as("the CALL of cancel %d came first", f.seq()).contains(f.seq());
                cancels++;
            }
        }
    }

    @Test
    void noCancelOvertakesItsCall() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout((int) Peers.WAIT.toMillis());
            try (Client client = Client.connect("127.0.0.1:" + listener.getLocalPort(), "s");
                    Socket socket = listener.accept()) {
                FakeServer fake = new FakeServer(socket, "s");
                fake.handshake(FakeServer.javaServerChallenge()); // a Java peer: the client sends CNCL
                await(client.whenOpen());
                int calls = 2_000;
                List<CompletableFuture<Object>> timed = new ArrayList<>();
                for (int i = 0; i < calls; i++) {
                    timed.add(client.withTimeout(Duration.ofNanos(1)).rpc("echo", "x")); // deadline races sending
                }
                for (CompletableFuture<Object> f : timed) {
                    failure(f); // each forgotten: sent and then cancelled, or never sent at all
                }
                client.rpc("echo", "last"); // after every CNCL in the outbox
                Traffic traffic = readUntilTheLastCall(fake::read);
                assertThat(traffic.cancels()).isLessThanOrEqualTo(traffic.calls());
                assertThat(traffic.frames()).isEqualTo(traffic.calls() + traffic.cancels());
            }
        }
    }

    @Test
    void callsThatOutliveTheirConnectionStillCountAgainstThePeersNext() throws Exception {
        // hanging up does not stop a method (none is interrupted unless it asks): reconnecting must not free its slot
        Assumptions.assumeFalse("nio".equals(System.getProperty("kaa.rpc.transport")),
                "NIO sees no hang-up of a connection it has stopped reading (its calls fill their slots)");
        Service service = new Service();
        CompletableFuture<Throwable> gone;
        try (Server server = Server.builder("127.0.0.1:0").secret("s").maxConcurrentCalls(4).register(service)
                .listen()) {
            try (RawPeer first = new RawPeer(server.address()).authenticate("s")) {
                for (int i = 1; i <= 4; i++) {
                    first.call(i, "hold");
                }
                assertThat(service.held.await(10, TimeUnit.SECONDS)).isTrue();
                gone = server.channels().iterator().next().closed().next();
            }
            await(gone); // the server has seen the hang-up
            try (Client again = Client.connect(server.address(), "s")) {
                CompletableFuture<Object> holders = again.rpc(Integer.class, "holders").thenApply(n -> n);
                await(again.whenOpen());
                service.letGo.countDown();
                // it ran only once a slot of the lost connection's calls was free
                assertThat((Integer) await(holders)).isLessThan(4);
            }
        }
    }

    public record Point(int x, int y) {
    }

    public static final class Asker {
        /** Blocks its thread, the executor's only one, on a call back to its caller whose answer is a record. */
        @Expose(addClient = true)
        public Point ask(Channel caller) throws Exception {
            return caller.rpc(Point.class, "point").get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    public static final class Pointer {
        @Expose
        public Point point() {
            return new Point(3, 4);
        }
    }

    @Test
    void aCalleeBlockedOnItsCallBackConvertsTheAnswerItself() throws Exception {
        ExecutorService one = Executors.newSingleThreadExecutor();
        try (Server server = Server.builder("127.0.0.1:0").secret("s").executor(one).register(new Asker()).listen();
                Client client = Client.builder(server.address()).secret("s").register(new Pointer()).connect()) {
            assertThat(await(client.rpc(Point.class, "ask"))).isEqualTo(new Point(3, 4));
        } finally {
            one.shutdownNow();
        }
    }
}
