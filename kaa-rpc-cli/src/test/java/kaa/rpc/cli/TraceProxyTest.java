package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kaa.rpc.AuthenticationException;
import kaa.rpc.Client;
import kaa.rpc.Server;
import kaa.rpc.WireFrames;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.Test;

/** The tracing proxy in process: relays exactly, pairs answers with calls, survives what a hostile peer sends. */
class TraceProxyTest {

    private static final long WAIT_SECONDS = ProxyOutput.WAIT_SECONDS;

    /** The proxy's output, line by line as it comes. */
    private final ProxyOutput out = new ProxyOutput();

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void relaysCallsAndPairsEachAnswerWithItsCall() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").listen().register(new DemoService());
                TraceProxy proxy = out.proxy(server.address(), TraceProxy.Settings.defaults());
                Client client = Client.connect(proxy.address(), "s")) {
            assertThat(get(client.rpc("echo", "hi"))).isEqualTo("hi");
            assertThat(get(client.rpc("add", 2, 3))).isEqualTo(5);
            String big = "z".repeat(2 << 20);
            assertThat(get(client.rpc("echo", big))).isEqualTo(big);
            try {
                get(client.rpc("fail", "boom"));
            } catch (ExecutionException expected) {
                assertThat(expected.getCause()).hasMessageContaining("boom");
            }
            String conn = "c\\d+ 127\\.0\\.0\\.1:\\d+ ";
            assertThat(out.await(l -> l.contains("AUTH"))).matches(".* " + conn + "<- 127\\.0\\.0\\.1:\\d+ AUTH seq=0 72B \\[handshake\\]");
            assertThat(out.await(l -> l.contains(" CALL seq=1 "))).matches(".* -> .* CALL seq=1 cmd=echo \\d+B \\('hi',\\)");
            assertThat(out.await(l -> l.contains(" RETN seq=1 ")))
                    .matches(".* " + conn + "<- .* RETN seq=1 cmd=echo \\d+B \\d+\\.\\d{3}ms 'hi'");
            assertThat(out.await(l -> l.contains(" CALL seq=2 "))).contains("cmd=add").endsWith("(2, 3)");
            assertThat(out.await(l -> l.contains(" RETN seq=2 "))).contains("cmd=add").endsWith("ms 5");
            assertThat(out.await(l -> l.contains(" CALL seq=3 "))).contains("cmd=echo").contains("[not decoded");
            assertThat(out.await(l -> l.contains(" RETN seq=3 "))).contains("cmd=echo").contains("ms [not decoded");
            assertThat(out.await(l -> l.contains(" EXCP seq=4 "))).contains("cmd=fail").contains("boom");
        }
        out.await(l -> l.contains("[closed"));
    }

    @Test
    void aWrongSecretPassesThroughAsAWrongSecret() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("right").listen();
                TraceProxy proxy = out.proxy(server.address(), TraceProxy.Settings.defaults());
                Client client = Client.connect(proxy.address(), "wrong")) {
            try {
                get(client.whenOpen());
                throw new AssertionError("opened with a wrong secret");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(AuthenticationException.class)
                        .hasMessageContaining("secret is wrong");
            }
            assertThat(out.await(l -> l.contains("DENY"))).contains("[handshake]");
        }
    }

    @Test
    void aHostileStreamDoesNotStopAnotherConnection() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").listen().register(new DemoService());
                TraceProxy proxy = out.proxy(server.address(), new TraceProxy.Settings(1 << 20, 8, 4, false, List.of()));
                Client client = Client.connect(proxy.address(), "s")) {
            assertThat(get(client.rpc("echo", 1))).isEqualTo(1);
            int port = Integer.parseInt(proxy.address().substring(proxy.address().lastIndexOf(':') + 1));
            try (Socket huge = new Socket("127.0.0.1", port); Socket garbage = new Socket("127.0.0.1", port)) {
                OutputStream h = huge.getOutputStream();
                h.write(WireFrames.frame(0, "RESP", 0xfffffff0, new byte[0]));
                h.write(new byte[4096]);
                h.flush();
                byte[] junk = new byte[64 * 1024];
                new Random(1).nextBytes(junk);
                garbage.getOutputStream().write(junk);
                garbage.getOutputStream().flush();
                assertThat(out.await(l -> l.contains("over --max-frame-size"))).contains("no longer decoded");
                for (int i = 0; i < 50; i++) { // pipelined past --max-pending: the oldest are forgotten, never kept
                    assertThat(get(client.rpc("add", i, 1))).isEqualTo(i + 1);
                }
                drain(huge.getInputStream()); // the server closes a frame it would not take: so does the proxy
                drain(garbage.getInputStream());
            }
            assertThat(get(client.rpc("echo", "still"))).isEqualTo("still");
        }
    }

    @Test
    void aCommandFilterShowsItsCallsAndTheirAnswersOnly() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").listen().register(new DemoService());
                TraceProxy proxy = out.proxy(server.address(), new TraceProxy.Settings(64 << 20, 8, 16, true,
                        List.of("gre?t", "ad*")));
                Client client = Client.connect(proxy.address(), "s")) {
            get(client.rpc("echo", 1));
            get(client.rpc("add", 1, 2));
            get(client.rpc("echo", 2));
            get(client.rpc("greet", "bob"));
            assertThat(out.await(l -> l.contains("\"type\":\"CALL\""))).contains("\"command\":\"add\"").contains("\"seq\":2");
            assertThat(out.await(l -> l.contains("\"type\":\"RETN\""))).contains("\"command\":\"add\"")
                    .contains("\"latency_ms\":").contains("\"dir\":\"in\"");
            String next = out.await(l -> l.contains("\"type\":"));
            assertThat(next).contains("\"type\":\"CALL\"").contains("\"command\":\"greet\"");
            assertThat(out.lines).noneMatch(l -> l.contains("echo") || l.contains("AUTH"));
        }
    }

    @Test
    void callsPastTheBoundAreForgottenAndCountedAndAPickleBombIsUndecodable() throws Exception {
        // no kaa.rpc peer on either side, and these bytes are the test's own: a RESP each way ends the handshake as
        // the proxy sees it (what comes before is shown by type and size alone)
        try (java.net.ServerSocket fake = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                TraceProxy proxy = out.proxy("127.0.0.1:" + fake.getLocalPort(),
                        new TraceProxy.Settings(1 << 20, 8, 4, false, List.of()))) {
            int port = Integer.parseInt(proxy.address().substring(proxy.address().lastIndexOf(':') + 1));
            try (Socket client = new Socket("127.0.0.1", port)) {
                fake.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                try (Socket target = fake.accept()) {
                    OutputStream c = client.getOutputStream();
                    byte[] early = WireFrames.callFrame(99, "early", "secretish");
                    byte[] clientResp = WireFrames.frame(0, "RESP", new byte[40]);
                    // a call right after the client's answer, which the target may yet refuse: shown marked so
                    byte[] unconfirmed = WireFrames.callFrame(50, "transfer", "alice", "mallory", 1_000_000);
                    c.write(early);
                    c.write(clientResp);
                    c.write(unconfirmed);
                    c.flush();
                    assertThat(out.await(l -> l.contains(" CALL seq=99 ")))
                            .endsWith("CALL seq=99 " + early.length + "B [handshake]");
                    assertThat(out.await(l -> l.contains(" CALL seq=50 "))).contains("cmd=transfer")
                            .endsWith(" [unconfirmed: before the server accepted the handshake] ('alice', 'mallory', 1000000)");
                    OutputStream t = target.getOutputStream();
                    byte[] targetResp = WireFrames.frame(0, "RESP", new byte[20]);
                    t.write(targetResp);
                    t.flush();
                    assertThat(client.getInputStream().readNBytes(targetResp.length)).isEqualTo(targetResp);
                    for (int seq = 1; seq <= 10; seq++) {
                        c.write(WireFrames.callFrame(seq, "work", seq));
                    }
                    byte[] bomb = new byte[2 + 200_000 + 1];
                    bomb[0] = (byte) 0x80;
                    bomb[1] = 2;
                    java.util.Arrays.fill(bomb, 2, bomb.length - 1, (byte) '(');
                    bomb[bomb.length - 1] = '.';
                    c.write(WireFrames.frame(11, "CALL", bomb));
                    c.flush();
                    assertThat(out.await(l -> l.contains(" CALL seq=11 "))).contains("[undecodable");
                    t.write(WireFrames.frame(1, "RETN", new byte[] {(byte) 0x80, 2, 'N', '.'}));
                    t.write(WireFrames.frame(10, "RETN", new byte[] {(byte) 0x80, 2, 'K', 7, '.'}));
                    t.flush();
                    assertThat(out.await(l -> l.contains(" RETN seq=1 "))).contains("[no call seen for it]")
                            .doesNotContain("cmd=");
                    assertThat(out.await(l -> l.contains(" RETN seq=10 "))).contains("cmd=work").endsWith("ms 7");
                    // relayed byte for byte, both ways
                    InputStream in = target.getInputStream();
                    assertThat(in.readNBytes(early.length)).isEqualTo(early);
                    assertThat(in.readNBytes(clientResp.length)).isEqualTo(clientResp);
                    assertThat(in.readNBytes(unconfirmed.length)).isEqualTo(unconfirmed);
                    for (int seq = 1; seq <= 10; seq++) {
                        assertThat(in.readNBytes(WireFrames.callFrame(seq, "work", seq).length))
                                .isEqualTo(WireFrames.callFrame(seq, "work", seq));
                    }
                    assertThat(in.readNBytes(12 + bomb.length)).isEqualTo(WireFrames.frame(11, "CALL", bomb));
                    assertThat(client.getInputStream().readNBytes(16 + 17))
                            .isEqualTo(concat(WireFrames.frame(1, "RETN", new byte[] {(byte) 0x80, 2, 'N', '.'}),
                                    WireFrames.frame(10, "RETN", new byte[] {(byte) 0x80, 2, 'K', 7, '.'})));
                }
                assertThat(out.await(l -> l.contains("[closed"))).contains("3 calls unanswered")
                        .contains("8 calls forgotten unanswered (--max-pending 4)");
            }
        }
    }

    @Test
    void aClientThatChallengesNothingIsDecodedOnceTheServerAnswersItsFirstCall() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").listen().register(new DemoService());
                TraceProxy proxy = out.proxy(server.address(), TraceProxy.Settings.defaults())) {
            int port = Integer.parseInt(proxy.address().substring(proxy.address().lastIndexOf(':') + 1));
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                InputStream in = client.getInputStream();
                OutputStream c = client.getOutputStream();
                c.write(WireFrames.clientAnswer(WireFrames.read(in).payload(), "s")); // no challenge: no RESP back
                c.write(WireFrames.callFrame(1, "echo", "first"));
                c.flush();
                assertThat(WireFrames.read(in).value()).isEqualTo("first");
                c.write(WireFrames.callFrame(2, "echo", "second"));
                c.flush();
                assertThat(WireFrames.read(in).value()).isEqualTo("second");
            }
            assertThat(out.await(l -> l.contains(" CALL seq=1 "))).contains("cmd=echo")
                    .endsWith(" [unconfirmed: before the server accepted the handshake] ('first',)");
            assertThat(out.await(l -> l.contains(" RETN seq=1 "))).contains("cmd=echo").endsWith("ms 'first'");
            assertThat(out.await(l -> l.contains(" CALL seq=2 "))).endsWith("('second',)");
            assertThat(out.await(l -> l.contains(" RETN seq=2 "))).contains("cmd=echo").endsWith("ms 'second'");
        }
    }

    @Test
    void aCancelledCallIsForgottenRatherThanLeftWaitingForAnAnswer() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").listen().register(new DemoService());
                TraceProxy proxy = out.proxy(server.address(), TraceProxy.Settings.defaults());
                Client client = Client.connect(proxy.address(), "s")) {
            CompletableFuture<Object> slow = client.rpc("slow", 30.0, "never");
            out.await(l -> l.contains(" CALL seq=1 "));
            slow.cancel(true);
            assertThat(out.await(l -> l.contains(" CNCL seq=1 "))).contains("cmd=slow");
            assertThat(get(client.rpc("echo", "after"))).isEqualTo("after");
        }
        assertThat(out.await(l -> l.contains("[closed"))).doesNotContain("unanswered");
    }

    /** The proxy's own view of a handshake: a RESP each way, the target's read back by the client. */
    private static void handshake(Socket client, Socket target) throws IOException {
        client.getOutputStream().write(WireFrames.frame(0, "RESP", new byte[40]));
        client.getOutputStream().flush();
        byte[] targetResp = WireFrames.frame(0, "RESP", new byte[20]);
        target.getOutputStream().write(targetResp);
        target.getOutputStream().flush();
        assertThat(target.getInputStream().readNBytes(12 + 40)).hasSize(12 + 40);
        assertThat(client.getInputStream().readNBytes(targetResp.length)).isEqualTo(targetResp);
    }

    @Test
    void connectionsThatLeaveManyCallsUnansweredDoNotMakeAnotherForgetItsOwn() throws Exception {
        int all = TraceProxy.MAX_PENDING_TOTAL;
        try (ServerSocket fake = new ServerSocket(0, 2, InetAddress.getLoopbackAddress());
                TraceProxy proxy = out.proxy("127.0.0.1:" + fake.getLocalPort(),
                        new TraceProxy.Settings(1 << 20, 2, 2 * all, false, List.of()))) {
            fake.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            int port = Integer.parseInt(proxy.address().substring(proxy.address().lastIndexOf(':') + 1));
            try (Socket hostile = new Socket("127.0.0.1", port); Socket hostileTarget = fake.accept();
                    Socket honest = new Socket("127.0.0.1", port); Socket honestTarget = fake.accept()) {
                handshake(hostile, hostileTarget);
                handshake(honest, honestTarget);
                // more unanswered calls than all connections remember (the target reads them and answers none)
                byte[] flood = WireFrames.callFrames(all + 100, "hold", 1);
                Thread reader = new Thread(() -> {
                    try {
                        hostileTarget.getInputStream().readNBytes(flood.length);
                    } catch (IOException closed) {
                        // the test is over
                    }
                });
                reader.start();
                hostile.getOutputStream().write(flood);
                hostile.getOutputStream().flush();
                out.await(l -> l.contains(" CALL seq=" + (all + 100) + " "));
                reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));

                honest.getOutputStream().write(WireFrames.callFrame(1, "mine", 1));
                honest.getOutputStream().flush();
                String call = out.await(l -> l.contains(" CALL seq=1 cmd=mine "));
                String conn = call.split(" ")[1];
                honestTarget.getInputStream().readNBytes(WireFrames.callFrame(1, "mine", 1).length);
                honestTarget.getOutputStream().write(WireFrames.frame(1, "RETN", new byte[] {(byte) 0x80, 2, 'K', 2, '.'}));
                honestTarget.getOutputStream().flush();
                assertThat(out.await(l -> l.contains(" " + conn + " ") && l.contains(" RETN seq=1 ")))
                        .as("its call is still remembered, within its share").contains("cmd=mine").endsWith("ms 2");
            }
            assertThat(out.await(l -> l.contains("[closed") && l.contains("forgotten")))
                    .contains("calls forgotten unanswered (all connections remember at most " + all + ")");
        }
    }

    @Test
    void aTargetThatReadsNothingStopsTheClientsWritesUntilItReads() throws Exception {
        long total = 64L << 20;
        try (java.net.ServerSocket fake = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                TraceProxy proxy = out.proxy("127.0.0.1:" + fake.getLocalPort(),
                        new TraceProxy.Settings(1 << 20, 8, 4, false, List.of()))) {
            int port = Integer.parseInt(proxy.address().substring(proxy.address().lastIndexOf(':') + 1));
            try (Socket client = new Socket("127.0.0.1", port)) {
                fake.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                try (Socket target = fake.accept()) {
                    // one frame too large to decode: the proxy relays it without following it
                    java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
                    Thread writer = new Thread(() -> {
                        try {
                            OutputStream c = client.getOutputStream();
                            c.write(WireFrames.frame(1, "CALL", Integer.MAX_VALUE, new byte[0]));
                            byte[] chunk = new byte[64 * 1024];
                            for (long n = 0; n < total; n += chunk.length) {
                                c.write(chunk);
                                written.addAndGet(chunk.length);
                            }
                            c.flush();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, "writer");
                    writer.start();
                    writer.join(2000); // the target reads nothing: the writer must still be blocked after this
                    assertThat(writer.isAlive()).as("the client could write all %d bytes", total).isTrue();
                    assertThat(written.get()).isLessThan(total / 2);
                    assertThat(out.await(l -> l.contains("over --max-frame-size"))).contains("client sent");
                    InputStream in = target.getInputStream();
                    long got = in.readNBytes(12).length;
                    byte[] buf = new byte[256 * 1024];
                    while (got < total + 12) {
                        int n = in.read(buf);
                        assertThat(n).as("the stream ended after %d bytes", got).isPositive();
                        got += n;
                    }
                    writer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                    assertThat(writer.isAlive()).isFalse();
                    assertThat(got).isEqualTo(total + 12);
                }
            }
        }
    }

    @Test
    void connectionsPastTheLimitAreClosedAtOnceAndTheOthersGoOn() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").listen().register(new DemoService());
                TraceProxy proxy = out.proxy(server.address(), new TraceProxy.Settings(1 << 20, 2, 4, false, List.of()))) {
            int port = Integer.parseInt(proxy.address().substring(proxy.address().lastIndexOf(':') + 1));
            try (Socket first = new Socket("127.0.0.1", port); Socket second = new Socket("127.0.0.1", port)) {
                out.await(l -> l.contains("[connected]"));
                out.await(l -> l.contains("[connected]"));
                for (int i = 0; i < 5; i++) {
                    try (Socket over = new Socket("127.0.0.1", port)) {
                        over.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                        assertThat(over.getInputStream().read()).as("closed before any byte").isEqualTo(-1);
                    }
                }
                first.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                assertThat(first.getInputStream().readNBytes(12)).hasSize(12); // the server's AUTH, relayed
            }
            out.await(l -> l.contains("[closed"));
            out.await(l -> l.contains("[closed"));
            // both slots are free again once their connections are gone
            try (Client client = Client.builder(proxy.address()).secret("s").connect()) {
                assertThat(get(client.rpc("add", 1, 2))).isEqualTo(3);
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static void drain(InputStream in) throws Exception {
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            try {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException reset) {
                // closed on us: what was asked
            }
        });
        done.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
