package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import kaa.rpc.demo.DemoService;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.pickle.Pk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Many peers that each announce a large frame, send most of it and stall:
 * the server holds no more of them than its receive budget, serves a
 * well-behaved client throughout, cuts the stalled ones off at the frame
 * time-out, and then receives a legitimate large frame. Isolated, because it
 * measures the direct memory of the process's buffers.
 */
@Isolated
class ReceiveBudgetTest {

    private static final int MIB = 1 << 20;

    /** A peer that authenticates, then sends the start of one large CALL frame and nothing more. */
    private static final class Staller implements AutoCloseable {
        final SocketChannel channel;

        Staller(String address) throws IOException {
            int colon = address.lastIndexOf(':');
            channel = SocketChannel.open(new InetSocketAddress(address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1))));
            channel.configureBlocking(true);
            channel.socket().setSoTimeout((int) Peers.WAIT.toMillis());
            ByteBuffer header = ByteBuffer.allocate(12);
            fill(header);
            ByteBuffer auth = ByteBuffer.allocate(WireFrames.lengthOf(header.array()));
            fill(auth);
            write(ByteBuffer.wrap(WireFrames.clientAnswer(auth.array(), "s")));
            channel.configureBlocking(false);
        }

        private void fill(ByteBuffer b) throws IOException {
            InputStream in = channel.socket().getInputStream();
            while (b.hasRemaining()) {
                int n = in.read(b.array(), b.position(), b.remaining());
                if (n < 0) {
                    throw new EOFException();
                }
                b.position(b.position() + n);
            }
            b.flip();
        }

        private void write(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }

        /** Announces a frame of {@code frame} bytes and sends up to {@code send} of them, as far as the server takes them. */
        void sendPart(int frame, int send) throws IOException {
            sendAll(WireFrames.frame(1, "CALL", frame, new byte[send]));
        }

        /** Sends {@code bytes} as far as the server takes them. */
        void sendAll(byte[] bytes) throws IOException {
            sendAll(ByteBuffer.wrap(bytes));
        }

        private void sendAll(ByteBuffer b) throws IOException {
            try (Selector selector = Selector.open()) {
                channel.register(selector, SelectionKey.OP_WRITE);
                // write while the socket takes bytes; a server that stopped reading stops us within a moment
                while (b.hasRemaining() && selector.select(300) > 0) {
                    selector.selectedKeys().clear();
                    channel.write(b);
                }
            }
        }

        boolean closedByServer(Duration within) throws IOException {
            channel.configureBlocking(true);
            channel.socket().setSoTimeout((int) within.toMillis());
            try {
                byte[] sink = new byte[4096];
                while (true) {
                    if (channel.socket().getInputStream().read(sink) < 0) {
                        return true;
                    }
                }
            } catch (SocketTimeoutException stillOpen) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** A service whose one method holds its caller until released. */
    public static final class Gate {
        final CountDownLatch release = new CountDownLatch(1);

        @Expose
        public String hold() throws InterruptedException {
            release.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return "released";
        }
    }

    @Test
    void aPeerWhoseCallsSaturateItIsNotReadOn() throws Exception {
        Gate gate = new Gate();
        try (Server server = Server.builder("127.0.0.1:0").secret("s").maxConcurrentCalls(1).register(gate)
                .register(new DemoService()).listen();
                Client bystander = Client.connect(server.address(), "s");
                Staller flooder = new Staller(server.address())) {
            assertThat(await(bystander.rpc("echo", "warm"))).isEqualTo("warm");
            long before = directMemory();
            // one call that holds, then 20 MiB of small calls that must wait in the socket, not in our buffers
            ByteArrayOutputStream calls = new ByteArrayOutputStream();
            calls.writeBytes(frame(1, Pk.proto().str("hold").op(')', '}', 0x87).end()));
            byte[] echo = frame(2, Pk.proto().str("echo").op('K', 1, 0x85, '}', 0x87).end());
            while (calls.size() < 20 * MIB) {
                calls.writeBytes(echo);
            }
            flooder.sendAll(calls.toByteArray());
            long held = directMemory() - before;
            assertThat(held).as("bytes read from a saturated peer").isLessThan(4 * MIB);
            assertThat(await(bystander.rpc("echo", "served"))).isEqualTo("served");
            gate.release.countDown();
        }
    }

    private static byte[] frame(int seq, byte[] payload) {
        return WireFrames.frame(seq, "CALL", payload);
    }

    /** What all the pools that hold received bytes hand out now. */
    private static long directMemory() {
        return Packet.directMemoryInUse();
    }

    @Test
    void stalledLargeFramesHoldNoMoreThanTheBudgetAndAreCutOff() throws Exception {
        long budget = 16 * MIB;
        List<Staller> stallers = new ArrayList<>();
        try (Server server = Server.builder("127.0.0.1:0").secret("s").receiveBudget(budget)
                .frameTimeout(Duration.ofSeconds(2)).register(new DemoService()).listen();
                Client bystander = Client.connect(server.address(), "s")) {
            assertThat(await(bystander.rpc("echo", "warm"))).isEqualTo("warm");
            long before = directMemory();
            for (int i = 0; i < 12; i++) {
                Staller s = new Staller(server.address());
                stallers.add(s);
                s.sendPart(6 * MIB, 5 * MIB);
            }
            long held = directMemory() - before;
            // two frames have room (12 MiB); the ten others wait, having given at most a read's worth each
            // (without the budget, the server holds the 60 MiB sent)
            assertThat(held).as("bytes held for stalled frames").isLessThan(budget + 8 * MIB);
            for (int i = 0; i < 20; i++) {
                assertThat(await(bystander.rpc("echo", i))).isEqualTo(i);
            }

            // the ten waiting go away; the two with room stall past the frame time-out and are cut off
            for (Staller s : stallers.subList(2, 12)) {
                s.close();
            }
            byte[] large = new byte[3 * MIB];
            large[large.length - 1] = 42;
            var echoed = bystander.withTimeout(Peers.WAIT).rpc(byte[].class, "echo", (Object) large);
            assertThat(stallers.get(0).closedByServer(Peers.WAIT)).isTrue();
            assertThat(stallers.get(1).closedByServer(Peers.WAIT)).isTrue();
            assertThat(await(echoed)).hasSize(3 * MIB).endsWith(42);
            assertThat(await(bystander.rpc("echo", "after"))).isEqualTo("after");
        } finally {
            for (Staller s : stallers) {
                s.close();
            }
        }
    }
}
