package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import kaa.rpc.demo.DemoService;
import kaa.rpc.internal.handshake.Handshake;
import kaa.rpc.internal.value.Repr;
import kaa.rpc.internal.wire.WireTrace;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** The wire trace: a line per packet, bounded renderings, and never a byte of the handshake's secrets. */
class WireTraceTest {

    /** A logger that keeps what is logged to it, at TRACE (or, with {@code debugOnly}, from DEBUG up). */
    static class Capture extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        final List<String> lines = new CopyOnWriteArrayList<>();
        /** The same lines as they come, for waiting on one. */
        private final BlockingQueue<String> fresh = new LinkedBlockingQueue<>();
        private final boolean trace;

        Capture(boolean trace) {
            this.name = WireTrace.LOGGER;
            this.trace = trace;
        }

        @Override
        public boolean isTraceEnabled() {
            return trace;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String msg, Object[] args,
                Throwable t) {
            String line = level + " " + MessageFormatter.basicArrayFormat(msg, args);
            lines.add(line);
            fresh.add(line);
        }

        /** Waits (bounded) for a line that {@code test} accepts. */
        String await(Predicate<String> test) throws InterruptedException {
            for (String l : lines) {
                if (test.test(l)) {
                    return l;
                }
            }
            long end = System.nanoTime() + Peers.WAIT.toNanos();
            for (String l = fresh.poll(Peers.WAIT.toNanos(), TimeUnit.NANOSECONDS); l != null;
                    l = fresh.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                if (test.test(l)) {
                    return l;
                }
            }
            throw new AssertionError("no such line within " + Peers.WAIT + "; got " + lines);
        }
    }

    private static Server tracedServer(Capture log) throws Exception {
        return Server.builder("127.0.0.1:0").secret("sekrit").observer(WireTrace.of(log)).listen()
                .register(new DemoService());
    }

    @Test
    void eachPacketIsOneLineWithSeqCommandAndSizeAndAtTraceAHexDump() throws Exception {
        Capture serverLog = new Capture(true);
        Capture clientLog = new Capture(true);
        try (Server server = tracedServer(serverLog)) {
            try (Client client = Client.builder(server.address()).secret("sekrit").observer(WireTrace.of(clientLog))
                    .connect()) {
                assertThat(await(client.rpc("echo", "hi"))).isEqualTo("hi");
                String call = serverLog.await(l -> l.contains(" CALL "));
                assertThat(call).matches("DEBUG \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z c\\d+ "
                        + "127\\.0\\.0\\.1:\\d+ <- 127\\.0\\.0\\.1:\\d+ CALL seq=1 cmd=echo \\d+B \\('hi',\\)");
                String retn = serverLog.await(l -> l.contains(" RETN "));
                // an answer's line names its call and how long it took
                assertThat(retn).matches("DEBUG .* -> 127\\.0\\.0\\.1:\\d+ RETN seq=1 cmd=echo \\d+B "
                        + "\\d+\\.\\d{3}ms 'hi'");
                String sent = clientLog.await(l -> l.contains(" CALL "));
                assertThat(sent).contains(" -> ").contains("CALL seq=1 cmd=echo");
                // one size at both ends: the frame, header included
                assertThat(size(sent)).isEqualTo(size(call)).isGreaterThan(12);
                assertThat(clientLog.await(l -> l.contains(" RETN "))).contains(" <- ").contains("RETN seq=1 cmd=echo");
                assertThat(serverLog.await(l -> l.contains("handshake ok"))).contains(" -- ").contains("java peer");
                assertThat(serverLog.await(l -> l.startsWith("TRACE") && l.contains(" <- CALL seq=1 hex ")))
                        .containsPattern("hex 0100000043414c4c"); // seq 1, "CALL"
                assertThat(serverLog.lines).filteredOn(l -> l.contains("AUTH") || l.contains("RESP"))
                        .allMatch(l -> l.contains("[handshake]")).hasSizeGreaterThanOrEqualTo(2);
            }
            serverLog.await(l -> l.contains("closed: "));
        }
    }

    @Test
    void aLargeOrUndecodablePayloadIsShownWithinBounds() throws Exception {
        Capture log = new Capture(true);
        try (Server server = tracedServer(log); Client client = Client.connect(server.address(), "sekrit")) {
            String big = "x".repeat(3 << 20);
            assertThat(await(client.rpc("echo", big))).isEqualTo(big);
            String line = log.await(l -> l.contains(" CALL ") && l.startsWith("DEBUG"));
            assertThat(line.length()).isLessThan(600);
            assertThat(line).contains("[not decoded: over 1048576 bytes]");
            String hex = log.await(l -> l.startsWith("TRACE") && l.contains(" -> RETN seq=1 hex "));
            assertThat(hex.length()).isLessThan(700);
            assertThat(hex).endsWith("more bytes");
            String echoed = "y".repeat(5000);
            assertThat(await(client.rpc("echo", echoed))).isEqualTo(echoed);
            String small = log.await(l -> l.contains(" CALL seq=2 "));
            assertThat(small.length()).isLessThan(400);
            assertThat(small).contains("cmd=echo").contains("...");
        }
    }

    @Test
    void theHandshakeIsTracedByTypeAndSizeOnlyNeverItsChallengesSaltsOrAnswers() throws Exception {
        Capture log = new Capture(true);
        List<byte[]> secrets = new ArrayList<>();
        try (Server server = tracedServer(log)) {
            int port = Integer.parseInt(server.address().substring(server.address().lastIndexOf(':') + 1));
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout((int) Peers.WAIT.toMillis());
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                WireFrames.Frame auth = WireFrames.read(in);
                assertThat(auth.type()).isEqualTo("AUTH");
                byte[] c1 = Handshake.field(auth.payload(), 0);
                byte[] c2 = Handshake.random();
                byte[] salt = Handshake.random();
                byte[] answer = Handshake.answer("sekrit".getBytes(StandardCharsets.UTF_8), c1, salt);
                out.write(WireFrames.frame(0, "RESP", Handshake.payload(c2, answer, salt)));
                out.flush();
                WireFrames.Frame resp = WireFrames.read(in);
                assertThat(resp.type()).isEqualTo("RESP");
                secrets.addAll(List.of(c1, c2, salt, answer, Handshake.field(resp.payload(), 1),
                        Handshake.field(resp.payload(), 2)));
                out.write(WireFrames.callFrame(1, "echo", "after"));
                out.flush();
                assertThat(WireFrames.read(in).type()).isEqualTo("RETN");
            }
            log.await(l -> l.contains("closed: "));
        }
        String all = String.join("\n", log.lines);
        assertThat(all).contains("AUTH seq=0 72B [handshake]").contains("RESP seq=0 72B [handshake]")
                .contains("handshake ok, python peer").contains("CALL seq=1 cmd=echo");
        for (byte[] field : secrets) {
            assertThat(Handshake.isZero(field)).isFalse();
            for (int at = 0; at + 6 <= field.length; at++) { // no six bytes of it, in any rendering
                byte[] part = Arrays.copyOfRange(field, at, at + 6);
                String hex = HexFormat.of().formatHex(part);
                assertThat(all).doesNotContainIgnoringCase(hex);
                assertThat(all).doesNotContain(Base64.getEncoder().encodeToString(part).substring(0, 8));
                String repr = Repr.repr(part, 1000);
                assertThat(all).doesNotContain(repr.substring(2, repr.length() - 1));
                assertThat(all).doesNotContain(new String(part, StandardCharsets.ISO_8859_1));
            }
        }
    }

    @Test
    void offUnlessTheLoggerIsOnForDebug() {
        Capture info = new Capture(false) {
            private static final long serialVersionUID = 1L;

            @Override
            public boolean isDebugEnabled() {
                return false;
            }
        };
        assertThat(WireTrace.of(info)).isNull();
    }

    private static long size(String line) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" (\\d+)B").matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return Long.parseLong(m.group(1));
    }
}
