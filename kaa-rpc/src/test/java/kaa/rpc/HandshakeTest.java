package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The shared-secret handshake: success, a wrong secret on either side, silence, and junk. */
class HandshakeTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void wrongSecretFailsTheClientQuicklyAndNeverReachesTheServer(Peers.Transport transport) throws Exception {
        try (Server server = Peers.server(transport, dir, "right").register(new DemoService());
                Client client = Peers.client(server, "wrong")) {
            AtomicInteger connected = new AtomicInteger();
            server.clientConnected().connect(ch -> connected.incrementAndGet());
            Throwable t = failure(client.whenOpen());
            assertThat(t).isInstanceOf(AuthenticationException.class).hasMessageContaining("secret is wrong");
            assertThat(failure(client.rpc("echo", 1))).isInstanceOf(NotConnectedException.class)
                    .hasMessageContaining("secret");
            assertThat(client.isConnected()).isFalse();
            assertThat(connected).hasValue(0);
            assertThat(server.channels()).isEmpty();
        }
    }

    @Test
    void aRetryingClientWithAWrongSecretIsToldSoAndStops() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "right");
                Client client = Client.builder(server.address()).secret("wrong")
                        .retry(java.time.Duration.ofMillis(50)).connect()) {
            assertThat(failure(client.whenOpen())).isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("refused our answer to its challenge: the secret is wrong");
        }
    }

    @Test
    void aRetryingClientOutlivesAServerThatHungUpAfterItsAnswer() throws Exception {
        // a server that restarts mid-handshake looks like the original's silent refusal: the client tries again
        try (ServerSocket fake = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                Client client = Client.builder("127.0.0.1:" + fake.getLocalPort()).secret("s")
                        .retry(java.time.Duration.ofMillis(50)).connect()) {
            try (Socket first = fake.accept()) {
                FakeServer raw = new FakeServer(first, "s");
                raw.send(0, "AUTH", kaa.rpc.internal.Handshake.payload(kaa.rpc.internal.Handshake.random(),
                        new byte[20], new byte[20]));
                raw.read(); // the client's answer; then hang up
            }
            try (Socket second = fake.accept()) {
                new FakeServer(second, "s").handshake();
                assertThat(await(client.whenOpen())).isSameAs(client);
            }
        }
    }

    @Test
    void serverThatDoesNotKnowTheSecretIsRejectedByTheClient() throws Exception {
        // A fake server that answers the client's challenge with garbage.
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Client client = Client.connect(fake.getLocalPort(), "s");
            try (Socket s = fake.accept()) {
                FakeServer raw = new FakeServer(s, "s");
                raw.send(0, "AUTH", kaa.rpc.internal.Handshake.payload(kaa.rpc.internal.Handshake.random(),
                        new byte[20], new byte[20]));
                raw.read(); // the client's RESP
                raw.send(0, "RESP", kaa.rpc.internal.Handshake.payload(new byte[20],
                        kaa.rpc.internal.Handshake.random(), kaa.rpc.internal.Handshake.random()));
                assertThat(failure(client.whenOpen())).isInstanceOf(AuthenticationException.class)
                        .hasMessageContaining("does not know the secret");
            } finally {
                client.close();
            }
        }
    }

    @Test
    void aFakeServerCannotHaveOneClientAnswerAnothersChallenge() throws Exception {
        // A fake server without the secret takes client A's challenge and sends it to client B as its own:
        // B's answer would pass A's check, and the fake server would have A's calls
        try (ServerSocket toA = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket toB = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Client a = Client.connect(toA.getLocalPort(), "s");
            Client b = Client.connect(toB.getLocalPort(), "s");
            try (Socket sa = toA.accept(); Socket sb = toB.accept()) {
                FakeServer fakeA = new FakeServer(sa, "unknown");
                FakeServer fakeB = new FakeServer(sb, "unknown");
                fakeA.send(0, "AUTH", kaa.rpc.internal.Handshake.payload(kaa.rpc.internal.Handshake.random(),
                        new byte[20], new byte[20]));
                byte[] challengeOfA = java.util.Arrays.copyOf(fakeA.read().payload(), 20);
                fakeB.send(0, "AUTH", kaa.rpc.internal.Handshake.payload(challengeOfA, new byte[20], new byte[20]));
                assertThat(failure(b.whenOpen())).isInstanceOf(AuthenticationException.class)
                        .hasMessageContaining("we do not answer its challenge");
                assertThatThrownBy(fakeB::read).isInstanceOf(java.io.IOException.class); // closed, no answer
            } finally {
                a.close();
                b.close();
            }
        }
    }

    @Test
    void aServerChallengeOfTheFirstMarkedVersionIsStillAnswered() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Client client = Client.connect(fake.getLocalPort(), "s");
            try (Socket s = fake.accept()) {
                FakeServer raw = new FakeServer(s, "s");
                byte[] v1 = kaa.rpc.internal.Handshake.random();
                v1[0] = 'k';
                v1[1] = 'a';
                v1[2] = 'J';
                v1[3] = 1;
                v1[4] = 'C'; // in version 1 this byte is random
                raw.send(0, "AUTH", kaa.rpc.internal.Handshake.payload(v1, new byte[20], new byte[20]));
                RawPeer.Frame resp = raw.read();
                assertThat(resp.type()).isEqualTo("RESP");
                assertThat(kaa.rpc.internal.Handshake.verify("s".getBytes(java.nio.charset.StandardCharsets.UTF_8), v1,
                        kaa.rpc.internal.Handshake.field(resp.payload(), 2),
                        kaa.rpc.internal.Handshake.field(resp.payload(), 1))).isTrue();
            } finally {
                client.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void emptySecretIsAllowed(Peers.Transport transport) throws Exception {
        try (Server server = Peers.server(transport, dir, "").register(new DemoService());
                Client client = Peers.client(server, "")) {
            assertThat(await(client.rpc("echo", "x"))).isEqualTo("x");
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void silentPeerIsDroppedAfterTheHandshakeTimeout(Peers.Transport transport) throws Exception {
        try (Server server = Server.builder(transport.listenAddress(dir)).secret("s").handshakeTimeout(Duration.ofMillis(200)).listen();
                RawPeer silent = new RawPeer(server.address())) {
            assertThat(silent.read().type()).isEqualTo("AUTH");
            assertThat(silent.closedByServer()).isTrue();
        }
    }

    @Test
    void clientGivesUpOnAServerThatNeverChallenges() throws Exception {
        try (ServerSocket mute = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Client client = Client.builder(mute.getLocalPort()).handshakeTimeout(Duration.ofMillis(300)).connect()) {
            try (Socket accepted = mute.accept()) {
                assertThat(failure(client.whenOpen())).isInstanceOf(HandshakeTimeoutException.class)
                        .hasMessageContaining("no handshake within 300 ms");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void moreThanOneKilobyteBeforeAuthenticationClosesTheConnection(Peers.Transport transport) throws Exception {
        try (Server server = Server.listen(transport.listenAddress(dir), "s"); RawPeer peer = new RawPeer(server.address())) {
            peer.read();
            peer.send(0, "RESP", new byte[2000]);
            assertThat(peer.closedByServer()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void callBeforeAuthenticationClosesTheConnection(Peers.Transport transport) throws Exception {
        try (Server server = Server.listen(transport.listenAddress(dir), "s").register(new DemoService());
                RawPeer peer = new RawPeer(server.address())) {
            peer.read();
            peer.call(1, "echo", "sneaky");
            assertThat(peer.closedByServer()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void handshakePayloadOfTheWrongLengthClosesTheConnection(Peers.Transport transport) throws Exception {
        try (Server server = Server.listen(transport.listenAddress(dir), "s"); RawPeer peer = new RawPeer(server.address())) {
            peer.read();
            peer.send(0, "RESP", new byte[59]);
            assertThat(peer.closedByServer()).isTrue();
        }
    }
}
