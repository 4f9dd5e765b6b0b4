package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import kaa.rpc.internal.pickle.Bombs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The repository's Python 3 package ({@code python/kaarpc}) against this library, beyond the demo scenario that
 * {@link PythonInteropTest} runs for every Python peer: how values map, Java exceptions seen from Python,
 * cancellation and time-outs both ways, reconnection across a restart, and hostile payloads with a bystander.
 */
class Python3PackageTest {

    @TempDir
    Path dir;

    private static final PythonPeer.Kind PACKAGE = PythonPeer.Kind.PACKAGE;

    /** A Python server of the demo service, on TCP or on a socket named {@code name}; its address is known. */
    private PythonPeer pythonServer(Peers.Transport transport, String name) throws Exception {
        return PythonPeer.server(PACKAGE, transport, dir, name, "s");
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void valuesArriveAsTheDocumentedPythonTypesAndComeBackEqual(Peers.Transport transport) throws Exception {
        try (PythonPeer python = pythonServer(transport, "values.sock")) {
            try (Client client = Client.connect(python.address(), "s")) {
                Map<String, Object> ordered = new LinkedHashMap<>();
                ordered.put("z", 1);
                ordered.put("a", List.of(2, 3));
                Object[][] cases = {
                    {null, "NoneType"},
                    {true, "bool"},
                    {42, "int"},
                    {BigInteger.TWO.pow(100), "int"},
                    {2.5, "float"},
                    {"t\u00e9xt \u2603", "str"},
                    {new byte[] {0, (byte) 0xff, 'a'}, "bytes"},
                    {List.of(1, "two"), "list"},
                    {ordered, "dict"},
                    {Set.of(7), "set"},
                    {LocalDateTime.of(2026, 12, 1, 23, 59, 58, 123_000), "datetime"},
                    {LocalDate.of(2026, 12, 1), "date"},
                    {new BigDecimal("3.14159265358979323846"), "Decimal"},
                    {UUID.fromString("12345678-1234-5678-1234-567812345678"), "UUID"},
                    {Duration.ofMillis(1500), "timedelta"},
                };
                for (Object[] c : cases) {
                    @SuppressWarnings("unchecked")
                    List<Object> kind = (List<Object>) await(client.rpc("kinds", c[0]));
                    assertThat(kind.get(0)).as("the Python type of %s", c[0]).isEqualTo(c[1]);
                    Class<?> type = c[0] == null ? Object.class : c[0].getClass();
                    if (c[0] instanceof byte[]) {
                        assertThat(await(client.rpc(byte[].class, "echo", c[0]))).isEqualTo(c[0]);
                    } else if (c[0] != null && !(c[0] instanceof List || c[0] instanceof Map || c[0] instanceof Set)) {
                        assertThat(await(client.rpc(type, "echo", c[0]))).as("%s back", c[1]).isEqualTo(c[0]);
                    }
                }
                assertThat(await(client.rpc("echo", ordered))).isEqualTo(ordered);
                assertThat(await(client.rpc("echo", Set.of(7)))).isEqualTo(Set.of(7));
                assertThat(await(client.rpc("greet", "ann", Kwargs.of("greeting", "hey")))).isEqualTo("hey ann");
            }
        }
    }

    /** What a Python 3 client sees of a Java server's failures and values. */
    public static class JavaSide {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch cancelled = new CountDownLatch(1);
        final AtomicInteger pings = new AtomicInteger();

        @Expose
        public String refuse(String why) {
            throw new IllegalStateException(why, new IOException("disk gone"));
        }

        /** A future made for this call, which a cancel may stop (the method says so). */
        @Expose(interruptible = true)
        public CompletableFuture<String> slow(double seconds, String value) {
            started.countDown();
            CompletableFuture<String> f = new CompletableFuture<>();
            f.whenComplete((v, e) -> {
                if (f.isCancelled()) {
                    cancelled.countDown();
                }
            });
            return f;
        }

        @Expose
        public String ping() {
            return "pong " + pings.incrementAndGet();
        }
    }

    @Test
    void aJavaExceptionReachesPythonAsABuiltinNamingItsJavaClassAndStack() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new JavaSide())) {
            List<String> lines = PythonPeer.run(PACKAGE, dir, "call", server.address(), "s", "refuse", "'no room'");
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("refuse raised RuntimeError 'no room")
                    .contains("caused by java.io.IOException: disk gone"));
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("refuse traceback ")
                    .contains("Python3PackageTest.java").contains("JavaSide.refuse"));
            assertThat(lines).anySatisfy(l -> assertThat(l)
                    .isEqualTo("refuse java_class 'java.lang.IllegalStateException'"));
        }
    }

    @Test
    void aPythonTimeOutCancelsTheJavaCall() throws Exception {
        JavaSide side = new JavaSide();
        try (Server server = Server.listen("127.0.0.1:0", "s").register(side);
                PythonPeer python = PythonPeer.start(PACKAGE, dir, "cancel", server.address(), "s")) {
            assertThat(python.readLine()).isEqualTo("slow timed out");
            assertThat(side.started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(side.cancelled.await(10, TimeUnit.SECONDS)).as("the CNCL reached the callee").isTrue();
        }
    }

    @Test
    void aJavaCancelAndTimeOutCancelThePythonTask() throws Exception {
        try (PythonPeer python = pythonServer(Peers.Transport.TCP, null)) {
            try (Client client = Client.connect(python.address(), "s")) {
                CompletableFuture<Object> call = client.rpc("slow", 30.0, "cancelled");
                assertThat(await(client.rpc("echo", "started"))).isEqualTo("started");
                assertThat(call.cancel(true)).isTrue();
                assertThat(failure(client.withTimeout(Duration.ofMillis(200)).rpc("slow", 30.0, "timed out")))
                        .isInstanceOf(TimeoutException.class);
                // a CNCL is read before the next call on the connection, and the task it cancels runs first
                assertThat(await(client.rpc("was_cancelled"))).isEqualTo(List.of("cancelled", "timed out"));
                assertThat(client.isConnected()).isTrue();
            }
        }
    }

    @Test
    void aPythonClientWithRetryComesBackAfterTheJavaServerRestarts() throws Exception {
        String path = dir.resolve("restart.sock").toString();
        JavaSide side = new JavaSide();
        try (PythonPeer python = PythonPeer.start(PACKAGE, dir, "retry", path, "s")) {
            // registered before it listens: a client that retries every 50 ms may call before a later register
            try (Server first = Server.builder(path).secret("s").register(side).listen()) {
                assertThat(python.readLine()).isEqualTo("open 'pong 1'");
            }
            assertThat(python.readLine()).isEqualTo("closed");
            try (Server second = Server.builder(path).secret("s").register(side).listen()) {
                assertThat(python.readLine()).isEqualTo("open 'pong 2'");
            }
        }
    }

    @Test
    void aJavaClientWithRetryComesBackAfterThePythonServerRestarts() throws Exception {
        String path = dir.resolve("py-restart.sock").toString();
        CountDownLatch opened = new CountDownLatch(2);
        try (Client client = Client.builder(path).secret("s").retry(Duration.ofMillis(50)).connect()) {
            client.open().connect(c -> opened.countDown());
            try (PythonPeer python = PythonPeer.start(PACKAGE, dir, "serve", path, "s")) {
                assertThat(python.readLine()).startsWith("READY ");
                await(client.whenOpen());
                assertThat(await(client.rpc("echo", "first"))).isEqualTo("first");
            }
            try (PythonPeer python = PythonPeer.start(PACKAGE, dir, "serve", path, "s")) {
                assertThat(python.readLine()).startsWith("READY ");
                assertThat(opened.await(10, TimeUnit.SECONDS)).as("opened again").isTrue();
                assertThat(await(client.rpc("echo", "second"))).isEqualTo("second");
            }
        }
    }

    @Test
    void theJavaSuitesHostilePayloadsAndFuzzingCorpusAreAnsweredAndNothingElseIsHarmed() throws Exception {
        List<Object[]> payloads = new ArrayList<>();
        HostilePickleTest.hostile().forEach(a -> payloads.add(new Object[] {a.get()[0], a.get()[1]}));
        Path corpus = Path.of(Python3PackageTest.class.getResource("/kaa/rpc/internal/FuzzTargetsInputs/pickles")
                .toURI());
        try (Stream<Path> files = Files.list(corpus)) {
            files.sorted().forEach(f -> {
                try {
                    payloads.add(new Object[] {f.getFileName().toString(), Files.readAllBytes(f)});
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        assertThat(payloads).hasSizeGreaterThan(50);
        try (PythonPeer python = pythonServer(Peers.Transport.TCP, null);
                Client bystander = Client.connect(python.address(), "s")) {
            for (Object[] p : payloads) {
                try (RawPeer peer = new RawPeer(python.address()).authenticate("s")) {
                    peer.send(41, "CALL", (byte[]) p[1]);
                    WireFrames.Frame answer = peer.read();
                    while (answer.type().equals("CALL")) { // a captured callback(...): the server calls us first
                        peer.send(answer.seq(), "RETN", new byte[] {(byte) 0x80, 2, 'N', '.'});
                        answer = peer.read();
                    }
                    assertThat(answer.seq()).as("%s", p[0]).isEqualTo(41);
                    assertThat(answer.type()).as("%s", p[0]).isIn("RETN", "EXCP");
                    peer.call(42, "echo", "still here");
                    assertThat(peer.read().value()).as("after %s", p[0]).isEqualTo("still here");
                }
                assertThat(await(bystander.rpc("echo", p[0]))).isEqualTo(p[0]);
            }
        }
        assertThat(new File("/tmp/pwned")).doesNotExist();
    }

    @Test
    void sharingAndHashBombsAreAnsweredInTimeWhileABystanderIsServed() throws Exception {
        try (PythonPeer python = pythonServer(Peers.Transport.TCP, null)) {
            String address = python.address();
            AtomicBoolean attacking = new AtomicBoolean(true);
            AtomicInteger served = new AtomicInteger();
            List<Throwable> bystanderFailures = new ArrayList<>();
            try (Client bystander = Client.connect(address, "s")) {
                await(bystander.whenOpen());
                Thread calls = new Thread(() -> {
                    try {
                        while (attacking.get()) {
                            assertThat(await(bystander.rpc("echo", "still here"))).isEqualTo("still here");
                            served.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        synchronized (bystanderFailures) {
                            bystanderFailures.add(t);
                        }
                    }
                }, "bystander");
                calls.start();
                try (RawPeer attacker = new RawPeer(address).authenticate("s")) {
                    int seq = 0;
                    for (Object[] bomb : Bombs.all(40, 400)) {
                        seq++;
                        byte[] value = Bombs.value((Bombs.Container) bomb[0], (Bombs.Sharing) bomb[1], (int) bomb[2]);
                        attacker.send(seq, "CALL", Bombs.call(seq % 2 == 0 ? "echo" : "kinds", value));
                        WireFrames.Frame answer = attacker.read(); // within Peers.WAIT, or the test fails
                        assertThat(answer.seq()).isEqualTo(seq);
                        assertThat(answer.type()).as("answer to %s", List.of(bomb)).isIn("RETN", "EXCP");
                    }
                } finally {
                    attacking.set(false);
                    calls.join(TimeUnit.SECONDS.toMillis(10));
                }
                assertThat(bystanderFailures).isEmpty();
                assertThat(served.get()).as("bystander calls answered during the attack").isPositive();
                assertThat(await(bystander.rpc("echo", "after"))).isEqualTo("after");
            }
        }
    }
}
