package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import kaa.rpc.WireFrames;
import kaa.rpc.internal.net.Address;
import kaa.rpc.internal.net.EventLoops;
import org.junit.jupiter.api.Test;

/** What the proxy leaves scheduled on the shared I/O threads. */
class TraceProxyTimersTest {

    private static final long WAIT_SECONDS = 20;

    /** The tasks scheduled on all the shared loops now, each counted on its own loop. */
    static int scheduledTasks() throws Exception {
        Field queue = AbstractScheduledEventExecutor.class.getDeclaredField("scheduledTaskQueue");
        queue.setAccessible(true);
        int n = 0;
        for (EventExecutor e : EventLoops.group()) {
            n += e.submit(() -> {
                Collection<?> q = (Collection<?>) queue.get(e);
                return q == null ? 0 : q.size();
            }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        return n;
    }

    /**
     * A busy connection whose target reads as fast as it can pauses its
     * client's reading many times, each pause ending when the target drains:
     * a pause that ended leaves no stall watch scheduled behind it.
     */
    @Test
    void pausesThatEndLeaveNoWatchScheduled() throws Exception {
        try (ServerSocket fake = new ServerSocket()) {
            fake.setReceiveBufferSize(4096);
            fake.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
            try (TraceProxy proxy = new TraceProxy(Address.parse("127.0.0.1:0", true),
                    Address.parse("127.0.0.1:" + fake.getLocalPort()),
                    new TraceProxy.Settings(1 << 20, 4, 4, false, List.of(), Duration.ofMinutes(10)), l -> { })) {
                int port = Integer.parseInt(proxy.address().substring(proxy.address().lastIndexOf(':') + 1));
                int before = scheduledTasks();
                fake.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                try (Socket client = new Socket("127.0.0.1", port); Socket target = fake.accept()) {
                    long total = 64L << 20;
                    Thread writer = new Thread(() -> {
                        try {
                            OutputStream c = client.getOutputStream();
                            c.write(WireFrames.frame(1, "CALL", Integer.MAX_VALUE, new byte[0]));
                            byte[] chunk = new byte[64 * 1024];
                            for (long sent = 0; sent < total; sent += chunk.length) {
                                c.write(chunk);
                            }
                        } catch (java.io.IOException closed) {
                            // the test ends
                        }
                    }, "writer");
                    writer.start();
                    target.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                    InputStream in = target.getInputStream();
                    byte[] sink = new byte[8 * 1024]; // small reads: the target drains, a little at a time
                    long read = 0;
                    while (read < total) {
                        int n = in.read(sink);
                        assertThat(n).isPositive();
                        read += n;
                    }
                    writer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                    // the connection is open and idle, no pause is going on: at most a watch or two of its own
                    assertThat(scheduledTasks() - before).as("tasks left scheduled").isLessThan(8);
                }
            }
        }
    }
}
