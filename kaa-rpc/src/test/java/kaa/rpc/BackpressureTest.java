package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A peer that sends calls but never reads the answers cannot make the server's memory grow without bound. */
class BackpressureTest {

    public static class Big {
        final AtomicInteger calls = new AtomicInteger();

        @Expose
        public String big(int kib) {
            calls.incrementAndGet();
            return "x".repeat(kib * 1024);
        }

        @Expose
        public String small() {
            return "fine";
        }
    }

    @Test
    void aPeerThatNeverReadsIsNoLongerReadFromAndOthersAreStillServed() throws Exception {
        Big service = new Big();
        // at most 16 of its calls at once: what the hog can make us hold is 16 answers being made,
        // plus the 16 MiB outbound limit, plus the socket buffers
        try (Server server = Server.builder("127.0.0.1:0").secret("s").maxConcurrentCalls(16).listen()
                .register(service)) {
            int colon = server.address().lastIndexOf(':');
            try (SocketChannel hog = SocketChannel.open(new InetSocketAddress("127.0.0.1",
                    Integer.parseInt(server.address().substring(colon + 1))))) {
                authenticate(hog);
                hog.configureBlocking(false);
                // 2,000 calls asking for 256 KiB each: 500 MiB of answers, never read
                byte[] call = LimitsTest.pickle(new Object[] {"big", new Object[] {256}, Map.of()});
                int sent = 0;
                long lastProgress = System.nanoTime();
                ByteBuffer pending = null;
                while (sent < 2_000 && System.nanoTime() - lastProgress < 1_000_000_000L) {
                    if (pending == null) {
                        pending = ByteBuffer.wrap(WireFrames.frame(sent + 1, "CALL", call));
                    }
                    if (hog.write(pending) > 0) {
                        lastProgress = System.nanoTime();
                    }
                    if (!pending.hasRemaining()) {
                        pending = null;
                        sent++;
                    } else {
                        Thread.onSpinWait();
                    }
                }
                assertThat(sent).as("calls the hog got out").isPositive();
                // the server works until its queue for the hog is full, then stops reading from it
                // bounded by: 16 calls running, 16 MiB in Netty's queue and up to 16 MiB more on their way
                // to it, and the kernel's socket buffers (autotuned to several MiB, more on a loaded machine):
                // about 130 answers of 256 KiB, against all 2,000 without backpressure
                int settled = settle(service.calls);
                assertThat(settled).as("answers produced for a peer that reads none").isBetween(1, 500);
                try (Client polite = Client.connect(server.address(), "s")) {
                    assertThat(await(polite.rpc("small"))).isEqualTo("fine");
                }
            }
        }
    }

    @Test
    void callsToAPeerThatNeverReadsAreRefusedOnceTheQueueIsFull() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Client client = Client.connect(fake.getLocalPort(), "s")) {
            try (Socket s = fake.accept()) {
                new FakeServer(s, "s").handshake();
                await(client.whenOpen());
                byte[] chunk = new byte[1 << 20];
                Throwable refused = null;
                for (int i = 0; i < 400 && refused == null; i++) {
                    var f = client.rpc("sink", (Object) chunk);
                    if (f.isCompletedExceptionally()) {
                        refused = Peers.failure(f);
                    }
                }
                assertThat(refused).as("a call refused within 400 MiB").isNotNull()
                        .isInstanceOf(RejectedExecutionException.class)
                        .hasMessageContaining("call 'sink' refused").hasMessageContaining("not reading");
                assertThat(client.isConnected()).isTrue();
            }
        }
    }

    /** The counter's value once it has moved and then not moved for 300 ms (bounded by 20 s). */
    private static int settle(AtomicInteger counter) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        int last = -1;
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int now = counter.get();
            if (now == 0) { // the work has not begun (the first calls wait for client-connected): not quiet yet
                Thread.sleep(20);
                continue;
            }
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > 300_000_000L) {
                return now;
            }
            Thread.sleep(20); // polling a counter for quiescence, not synchronising with it
        }
        return counter.get();
    }

    private static void authenticate(SocketChannel ch) throws IOException {
        ByteBuffer auth = ByteBuffer.allocate(72);
        while (auth.hasRemaining()) {
            if (ch.read(auth) < 0) {
                throw new IOException("closed");
            }
        }
        ByteBuffer resp = ByteBuffer.wrap(WireFrames.clientAnswer(
                Arrays.copyOfRange(auth.array(), 12, 72), "s"));
        while (resp.hasRemaining()) {
            ch.write(resp);
        }
    }

    @Test
    void peersThatReadNothingTogetherHoldNoMoreThanTheSendBudget() throws Exception {
        // each hog stops being read once 16 MiB wait for it, but its calls already running still answer: up to 64
        // calls of 1 MiB each per hog. Together they pass the 24 MiB budget, and the one that would take more is
        // closed (the other may stay within the budget alone); a reader is served on.
        Big service = new Big();
        CountDownLatch hogClosed = new CountDownLatch(1);
        try (Server server = Server.builder("127.0.0.1:0").secret("s").sendBudget(24 << 20).listen()
                .register(service)) {
            server.clientConnected().connect(ch -> {
                ch.closed().connect(reason -> hogClosed.countDown());
                if (!ch.isConnected()) {
                    hogClosed.countDown();
                }
            });
            List<RawPeer> hogs = new ArrayList<>();
            try {
                for (int h = 0; h < 2; h++) {
                    RawPeer hog = new RawPeer(server.address()).authenticate("s");
                    hogs.add(hog);
                    hog.sendRaw(WireFrames.callFrames(64, "big", 1024));
                }
                try (Client reader = Client.connect(server.address(), "s")) {
                    for (int i = 0; i < 20; i++) {
                        assertThat(await(reader.rpc("small"))).isEqualTo("fine");
                    }
                    assertThat(hogClosed.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS))
                            .isTrue();
                    assertThat(await(reader.rpc("big", 1024))).asString().hasSize(1 << 20);
                    assertThat(reader.isConnected()).isTrue();
                }
            } finally {
                for (RawPeer hog : hogs) {
                    hog.close();
                }
            }
        }
    }

    @Test
    void whatASlowReaderWasHeldIsCountedOutOnceItReads() throws Exception {
        // answers pile up unsent while the peer does not read, then it reads them all: the count of what we hold
        // returns to nothing (and nothing keeps counting again and again meanwhile)
        try (Server server = Server.builder("127.0.0.1:0").secret("s").listen().register(new Big());
                RawPeer peer = new RawPeer(server.address()).authenticate("s")) {
            peer.sendRaw(WireFrames.callFrames(32, "big", 1024));
            for (int i = 1; i <= 32; i++) {
                assertThat(peer.read().payload().length).isGreaterThan(1 << 20);
            }
            long deadline = System.nanoTime() + Peers.WAIT.toNanos();
            while (server.unsentBytes() != 0) {
                assertThat(System.nanoTime()).as("the send budget counts the answers out").isLessThan(deadline);
                Thread.onSpinWait();
            }
            peer.call(99, "small");
            assertThat(peer.read().type()).isEqualTo("RETN");
        }
    }
}
