package kaa.rpc.internal.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.handshake.HandshakeHandler;
import org.junit.jupiter.api.Test;

/**
 * The handshake slots under a flood of silent connections, driven directly
 * with a simulated clock: 5,400 junk connections a second, and real clients
 * whose handshake takes a 200 ms round trip.
 */
class AdmissionTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long JUNK_EVERY = TimeUnit.SECONDS.toNanos(1) / 5_400;
    private static final long ROUND_TRIP = 200 * MS;

    private final AtomicLong now = new AtomicLong(1_000_000 * MS);
    private final Admission admission = new Admission(100_000, 256, Admission.DEFAULT_MIN_AGE_NANOS, now::get);

    /** A connection from {@code ip}, in its handshake. */
    private static final class Peer extends EmbeddedChannel {
        private final InetSocketAddress from;
        boolean admitted;

        Peer(String ip) {
            super(false, false);
            this.from = new InetSocketAddress(ip, 40_000); // before registering, which may ask for it
            pipeline().addLast("handshake", new ChannelInboundHandlerAdapter());
            try {
                register();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public SocketAddress remoteAddress() {
            return from;
        }
    }

    private Peer connect(String ip) {
        Peer p = new Peer(ip);
        p.admitted = admission.admit(p);
        if (p.admitted) {
            admission.watchHandshake(p);
        } else {
            p.close();
        }
        return p;
    }

    /**
     * A real client: admitted (or refused, and then it tries again 50 ms
     * later), answers a round trip after it was admitted, and is in if still
     * open then.
     */
    private final class Client {
        final String ip;
        Peer peer;
        long answersAt;
        long retryAt;
        boolean in;
        boolean evicted; // lost its slot while waiting for its round trip

        Client(String ip) {
            this.ip = ip;
            attempt();
        }

        private void attempt() {
            peer = connect(ip);
            answersAt = now.get() + ROUND_TRIP;
            retryAt = now.get() + 50 * MS;
        }

        void step() {
            if (in) {
                return;
            }
            if (peer.isOpen() && now.get() >= answersAt) {
                Connection.of(peer).spoke();
                peer.pipeline().fireUserEventTriggered(new HandshakeHandler.Opened(Dialect.PYTHON));
                in = true;
            } else if (!peer.isOpen()) {
                evicted |= peer.admitted;
                if (now.get() >= retryAt) {
                    attempt();
                }
            }
        }
    }

    /** Four simulated seconds of junk from {@code junkSource}, with ten clients from {@code clientSource}. */
    private List<Client> flood(IntFunction<String> junkSource,
            IntFunction<String> clientSource) {
        List<Client> clients = new ArrayList<>();
        long start = now.get();
        long nextClient = start + 500 * MS;
        for (int i = 0; now.get() - start < 4_000 * MS; i++) {
            connect(junkSource.apply(i));
            if (now.get() >= nextClient && clients.size() < 10) {
                clients.add(new Client(clientSource.apply(clients.size())));
                nextClient += 100 * MS;
            }
            now.addAndGet(JUNK_EVERY);
            clients.forEach(Client::step);
            assertThat(admission.handshaking()).isLessThanOrEqualTo(256);
        }
        assertThat(clients).hasSize(10).noneMatch(c -> c.evicted);
        return clients;
    }

    @Test
    void aFloodFromOneSourceNeverKeepsClientsFromElsewhereOut() {
        List<Client> clients = flood(i -> "10.0.0.1", k -> "10.1.0." + (k + 1));
        assertThat(clients).allMatch(c -> c.in && c.peer.admitted);
    }

    @Test
    void aFloodFromAFewSourcesNeverKeepsClientsFromElsewhereOut() {
        List<Client> clients = flood(i -> "10.0.0." + (i % 7 + 1), k -> "10.1.0." + (k + 1));
        assertThat(clients).allMatch(c -> c.in);
    }

    @Test
    void aFloodFromEverywhereNeverEvictsAClientBeforeItsRoundTrip() {
        // junk from a new address each time: shares cannot tell the flood from clients, but the minimum age
        // gives whoever is admitted the time for a round trip, and clients that try again get in
        List<Client> clients = flood(i -> "10." + (2 + i / 65_536) + "." + (i / 256 % 256) + "." + (i % 256),
                k -> "10.200.0." + (k + 1));
        assertThat(clients).allMatch(c -> c.in);
    }

    @Test
    void aClientSharingTheFloodsSourceIsNeverEvictedBeforeItsRoundTrip() {
        List<Client> clients = flood(i -> "10.0.0.1", k -> "10.0.0.1");
        assertThat(clients).allMatch(c -> c.in);
    }

    @Test
    void aSilentConnectionOldEnoughMakesRoomAndYoungOnesDoNot() {
        Admission small = new Admission(100, 2, 500 * MS, now::get);
        Peer a = new Peer("10.0.0.1");
        Peer b = new Peer("10.0.0.2");
        assertThat(small.admit(a)).isTrue();
        assertThat(small.admit(b)).isTrue();
        assertThat(small.admit(new Peer("10.0.0.3"))).as("both too young").isFalse();
        now.addAndGet(500 * MS);
        Connection.of(b).spoke();
        Peer c = new Peer("10.0.0.3");
        assertThat(small.admit(c)).isTrue();
        assertThat(a.isOpen()).as("the oldest silent one made room").isFalse();
        assertThat(b.isOpen()).isTrue();
    }

    @Test
    void anIpv6SourceIsItsSlash64() {
        assertThat(Admission.source(new Peer("2001:db8:1:2::1")))
                .isEqualTo(Admission.source(new Peer("2001:db8:1:2::ff")));
        assertThat(Admission.source(new Peer("2001:db8:1:3::1")))
                .isNotEqualTo(Admission.source(new Peer("2001:db8:1:2::1")));
        assertThat(Admission.source(new Peer("10.0.0.1"))).isNotEqualTo(Admission.source(new Peer("10.0.0.2")));
    }

    @Test
    void closingClosesEveryHandshakeAndAdmitsNoMore() {
        Peer a = connect("10.0.0.1");
        Peer b = connect("10.0.0.2");
        admission.close();
        assertThat(a.isOpen()).isFalse();
        assertThat(b.isOpen()).isFalse();
        assertThat(admission.handshaking()).isZero();
        assertThat(connect("10.0.0.3").admitted).isFalse();
    }
}
