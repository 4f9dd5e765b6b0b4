package kaa.rpc.micrometer;

import static kaa.rpc.micrometer.Fixtures.await;
import static kaa.rpc.micrometer.Fixtures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import kaa.rpc.AuthenticationException;
import kaa.rpc.Client;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.ConnectionObserver;
import kaa.rpc.Server;
import org.junit.jupiter.api.Test;

/** The meters of connections: open ones, failed handshakes, refusals, bytes each way by packet type. */
class KaaRpcMetersTest {

    /**
     * Tells when an event was observed. Installed after the meters, it hears of each
     * event after them (observers are called in the order added, on the same thread).
     */
    static final class Events implements ConnectionObserver {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public void opened(ConnectionInfo c) {
            events.add("opened");
        }

        @Override
        public void closed(ConnectionInfo c, Throwable reason) {
            events.add("closed");
        }

        @Override
        public void handshakeFailed(SocketAddress remote, String reason) {
            events.add("failed " + reason);
        }

        @Override
        public void refused(SocketAddress remote, String limit) {
            events.add("refused " + limit);
        }

        @Override
        public void packetSent(ConnectionInfo c, String type, long bytes) {
            events.add("sent " + type);
        }

        /** Waits, a bounded time, for an event starting with {@code prefix}, skipping others. */
        void await(String prefix) throws InterruptedException {
            long end = System.nanoTime() + Fixtures.WAIT.toNanos();
            for (String e = ""; !e.startsWith(prefix); ) {
                e = events.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no event " + prefix + " within " + Fixtures.WAIT);
                }
            }
        }
    }

    private static double gauge(SimpleMeterRegistry meters) {
        return meters.get("kaa.rpc.connections.open").tags("network.transport", "tcp", "kaa.rpc.peer", "java")
                .gauge().value();
    }

    @Test
    void openConnectionsBytesFailuresAndRefusals() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        KaaRpcMeters observer = KaaRpcMeters.create(meters);
        Events events = new Events();
        try (Server s = Server.builder("127.0.0.1:0").secret("s").maxConnections(2).observer(observer)
                .observer(events).listen().register(new Fixtures.Service())) {
            try (Client c = Client.connect(s.address(), "s")) {
                await(c.whenOpen());
                events.await("opened");
                assertThat(gauge(meters)).isEqualTo(1.0);
                assertThat(await(c.rpc("echo", "hi"))).isEqualTo("hi");
                events.await("sent RETN");
                Counter received = meters.get("kaa.rpc.bytes.received").tag("type", "CALL").counter();
                Counter sent = meters.get("kaa.rpc.bytes.sent").tag("type", "RETN").counter();
                assertThat(received.count()).isGreaterThan(12); // a header of 12 bytes, then the pickle
                assertThat(sent.count()).isGreaterThan(12);
                assertThat(received.getId().getBaseUnit()).isEqualTo("bytes");

                // a wrong secret
                try (Client wrong = Client.connect(s.address(), "wrong")) {
                    assertThat(failure(wrong.whenOpen())).isInstanceOf(AuthenticationException.class);
                    events.await("failed");
                }
                assertThat(meters.get("kaa.rpc.handshakes.failed").tag("reason", "wrong-secret").counter().count())
                        .isEqualTo(1);

                // past maxConnections (2): the first, and one more that is open; a third is refused
                try (Client second = Client.connect(s.address(), "s")) {
                    await(second.whenOpen());
                    events.await("opened");
                    assertThat(gauge(meters)).isEqualTo(2.0);
                    int port = Integer.parseInt(s.address().substring(s.address().lastIndexOf(':') + 1));
                    try (Socket third = new Socket("127.0.0.1", port)) {
                        InputStream in = third.getInputStream();
                        assertThat(in.read()).as("closed without a byte").isEqualTo(-1);
                        events.await("refused");
                    }
                }
                events.await("closed");
                assertThat(meters.get("kaa.rpc.connections.refused").tag("limit", "maxConnections").counter()
                        .count()).isEqualTo(1);
            }
            events.await("closed");
            assertThat(gauge(meters)).isZero();
        }
        // every meter of a name has the same tag keys
        for (String name : Set.of("kaa.rpc.connections.open", "kaa.rpc.handshakes.failed",
                "kaa.rpc.connections.refused", "kaa.rpc.bytes.received", "kaa.rpc.bytes.sent")) {
            Set<Set<String>> keySets = meters.find(name).meters().stream()
                    .map(m -> m.getId().getTags().stream().map(Tag::getKey).collect(Collectors.toSet()))
                    .collect(Collectors.toSet());
            assertThat(keySets).as(name).hasSize(1);
        }
        assertThat(meters.getMeters()).extracting(Meter::getId).extracting(Meter.Id::getName)
                .allMatch(n -> n.startsWith("kaa.rpc."));
    }
}
