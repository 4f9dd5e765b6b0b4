package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import kaa.rpc.WireFrames;
import org.junit.jupiter.api.Test;

/** The proxy between a client and a target that stop reading, or leave. */
class TraceProxyHostileTest {

    private static final long WAIT_SECONDS = ProxyOutput.WAIT_SECONDS;

    private final ProxyOutput out = new ProxyOutput();

    /**
     * A client fills the way to a target that reads nothing, then leaves. The
     * proxy reads nothing more of the client meanwhile (backpressure), so it
     * may not see it go: past the stall time-out with nothing drained, both
     * sides are closed, and the slot is free again (counted until the target's
     * channel is closed too).
     */
    @Test
    void aClientThatResetsWhileItsTargetReadsNothingFreesItsSlot() throws Exception {
        leaveWhileTheTargetReadsNothing(true);
    }

    @Test
    void aClientThatClosesWhileItsTargetReadsNothingFreesItsSlot() throws Exception {
        leaveWhileTheTargetReadsNothing(false);
    }

    private void leaveWhileTheTargetReadsNothing(boolean reset) throws Exception {
        try (ServerSocket fake = new ServerSocket()) {
            fake.setReceiveBufferSize(4096);
            fake.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
            try (TraceProxy proxy = out.proxy("127.0.0.1:" + fake.getLocalPort(),
                    new TraceProxy.Settings(1 << 20, 1, 4, false, List.of(), java.time.Duration.ofSeconds(2)))) {
                int port = Integer.parseInt(proxy.address().substring(proxy.address().lastIndexOf(':') + 1));
                Socket client = new Socket("127.0.0.1", port);
                fake.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                try (Socket target = fake.accept()) {
                    out.await(l -> l.contains("[connected]"));
                    AtomicLong written = new AtomicLong();
                    Thread writer = new Thread(() -> {
                        try {
                            OutputStream c = client.getOutputStream();
                            c.write(WireFrames.frame(1, "CALL", Integer.MAX_VALUE, new byte[0]));
                            byte[] chunk = new byte[64 * 1024];
                            for (int i = 0; i < 1024; i++) {
                                c.write(chunk);
                                written.addAndGet(chunk.length);
                            }
                        } catch (java.io.IOException closed) {
                            // the test closes the socket under it
                        }
                    }, "writer");
                    writer.start();
                    writer.join(2000); // until every buffer on the way is full
                    assertThat(writer.isAlive()).isTrue();
                    if (reset) {
                        client.setSoLinger(true, 0);
                    }
                    client.close(); // the client is gone
                    writer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                    assertThat(out.await(l -> l.contains("[closed"))).as("the proxy saw the client go").isNotNull();
                    // the target's side is closed too, within the stall time-out, whether it reads or not
                    target.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                    try (java.io.InputStream in = target.getInputStream()) {
                        byte[] sink = new byte[64 * 1024];
                        while (in.read(sink) >= 0) {
                            // what was left for it, then its end
                        }
                    } catch (java.net.SocketException ended) {
                        // closed with data unread: a reset is an end too
                    }
                    // and the connection's slot is free: the next client is relayed, not closed at once
                    try (Socket next = new Socket("127.0.0.1", port); Socket nextTarget = fake.accept()) {
                        assertThat(out.await(l -> l.contains("[connected]"))).isNotNull();
                    }
                }
            }
        }
    }
}
