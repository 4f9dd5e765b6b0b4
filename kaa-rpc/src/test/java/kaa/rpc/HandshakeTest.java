package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import kaa.rpc.demo.DemoService;
import kaa.rpc.internal.handshake.Handshake;
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

    /** What an unauthenticated party at the client's address (a squatted port) may answer its first attempt with. */
    enum Hostile {
        DENY_AFTER_THE_ANSWER, SHORT_AUTH, CALL_INSTEAD_OF_AUTH, WRONG_ANSWER_TO_OUR_CHALLENGE, A_CLIENTS_CHALLENGE,
        DENY_AT_ONCE, SECOND_AUTH
    }

    @ParameterizedTest
    @EnumSource(Hostile.class)
    void aRetryingClientSurvivesWhatAnUnauthenticatedPartyCanSend(Hostile hostile) throws Exception {
        // nothing a party that has proven nothing sends can prove the secret wrong: the client tries again
        try (ServerSocket fake = listening();
                Client client = Client.builder("127.0.0.1:" + fake.getLocalPort()).secret("s")
                        .retry(Duration.ofMillis(20)).connect()) {
            try (Socket first = fake.accept()) {
                answerBadly(new FakeServer(first, "s"), hostile);
                first.getInputStream().read(); // until the client hangs up
            }
            try (Socket second = fake.accept()) {
                new FakeServer(second, "s").handshake();
                assertThat(await(client.whenOpen())).isSameAs(client);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Hostile.class)
    void withoutRetryTheSameIsAClearAuthenticationFailure(Hostile hostile) throws Exception {
        try (ServerSocket fake = listening();
                Client client = Client.connect(fake.getLocalPort(), "s")) {
            try (Socket first = fake.accept()) {
                answerBadly(new FakeServer(first, "s"), hostile);
                Throwable t = failure(client.whenOpen());
                assertThat(t).isInstanceOf(AuthenticationException.class)
                        .hasMessageContaining("127.0.0.1:" + fake.getLocalPort());
            }
        }
    }

    /** A loopback socket to play a server on, whose accept gives up after {@code Peers.WAIT}. */
    private static ServerSocket listening() throws IOException {
        ServerSocket s = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        s.setSoTimeout((int) Peers.WAIT.toMillis());
        return s;
    }

    @Test
    void betweenOurPeersTheClientsAnswerCoversItsOwnChallengeToo() throws Exception {
        // A relay passes a real server's challenge to one of our clients, and the client's answer back with the
        // client's challenge dropped (or replaced): the answer covers both challenges, so the server refuses it
        for (byte[] replacement : new byte[][] {new byte[20], Handshake.random(),
                Handshake.challenge()}) {
            try (Server server = Server.listen("127.0.0.1:0", "s");
                    RawPeer toServer = new RawPeer(server.address());
                    ServerSocket fake = listening();
                    Client client = Client.connect(fake.getLocalPort(), "s")) {
                WireFrames.Frame auth = toServer.read();
                try (Socket s = fake.accept()) {
                    FakeServer relay = new FakeServer(s, "unknown");
                    relay.send(0, "AUTH", auth.payload());
                    byte[] resp = relay.read().payload();
                    System.arraycopy(replacement, 0, resp, 0, 20);
                    toServer.send(0, "RESP", resp);
                    if (Handshake.isJavaPeer(replacement)) {
                        assertThat(toServer.read().type()).isEqualTo("DENY"); // what a client of ours is told
                    }
                    assertThat(toServer.closedByServer()).as("refused, not answered").isTrue();
                }
            }
        }
    }

    @Test
    void ourPeersStillAnswerPythonsChallengeAlone() throws Exception {
        // a Python server's challenge is random: the answer is the original protocol's, over it alone
        try (ServerSocket fake = listening(); Client client = Client.connect(fake.getLocalPort(), "s")) {
            try (Socket s = fake.accept()) {
                FakeServer raw = new FakeServer(s, "s");
                byte[] challenge = Handshake.random();
                raw.sendRaw(WireFrames.serverChallenge(challenge));
                WireFrames.Frame resp = raw.read();
                assertThat(Handshake.verify("s".getBytes(StandardCharsets.UTF_8),
                        challenge, Handshake.field(resp.payload(), 2),
                        Handshake.field(resp.payload(), 1))).isTrue();
            }
        }
    }

    private static void answerBadly(FakeServer raw, Hostile hostile) throws IOException {
        byte[] challenge = Handshake.random();
        byte[] auth = Handshake.payload(challenge, new byte[20], new byte[20]);
        switch (hostile) {
            case DENY_AT_ONCE -> raw.send(0, "DENY", new byte[0]);
            case SHORT_AUTH -> raw.send(0, "AUTH", new byte[7]);
            case CALL_INSTEAD_OF_AUTH -> raw.send(1, "CALL", new byte[60]);
            case A_CLIENTS_CHALLENGE -> raw.sendRaw(WireFrames.serverChallenge(
                    Handshake.challenge()));
            default -> {
                raw.send(0, "AUTH", auth);
                raw.read(); // the client's answer
                switch (hostile) {
                    case DENY_AFTER_THE_ANSWER -> raw.send(0, "DENY", new byte[0]);
                    case SECOND_AUTH -> raw.send(0, "AUTH", auth);
                    default -> raw.send(0, "RESP", Handshake.payload(new byte[20],
                            Handshake.random(), Handshake.random()));
                }
            }
        }
    }

    @Test
    void aRetryingClientWithAWrongSecretKeepsTrying() throws Exception {
        // the server's refusal is not proof either: the client goes on trying, and its calls wait
        try (Server server = Server.listen("127.0.0.1:0", "right");
                FaultProxy proxy = new FaultProxy(server.address());
                Client client = Client.builder(proxy.address()).secret("wrong")
                        .retry(Duration.ofMillis(20)).connect()) {
            CompletableFuture<Object> early = client.rpc("echo", 1);
            assertThat(proxy.awaitConnections(3)).as("three attempts").isTrue();
            assertThat(client.whenOpen()).isNotDone();
            assertThat(early).isNotDone();
            client.close();
            assertThat(failure(early)).isInstanceOf(NotConnectedException.class);
        }
    }

    @Test
    void aRetryingClientOutlivesAServerThatHungUpAfterItsAnswer() throws Exception {
        // a server that restarts mid-handshake looks like the original's silent refusal: the client tries again
        try (ServerSocket fake = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                Client client = Client.builder("127.0.0.1:" + fake.getLocalPort()).secret("s")
                        .retry(Duration.ofMillis(50)).connect()) {
            try (Socket first = fake.accept()) {
                FakeServer raw = new FakeServer(first, "s");
                raw.sendRaw(WireFrames.serverChallenge(Handshake.random()));
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
                raw.sendRaw(WireFrames.serverChallenge(Handshake.random()));
                raw.read(); // the client's RESP
                raw.send(0, "RESP", Handshake.payload(new byte[20],
                        Handshake.random(), Handshake.random()));
                assertThat(failure(client.whenOpen())).isExactlyInstanceOf(PresumedAuthenticationException.class)
                        .hasMessageContaining("does not know the secret"); // a public type: nothing proves it
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
                fakeA.sendRaw(WireFrames.serverChallenge(Handshake.random()));
                byte[] challengeOfA = Arrays.copyOf(fakeA.read().payload(), 20);
                fakeB.sendRaw(WireFrames.serverChallenge(challengeOfA));
                assertThat(failure(b.whenOpen())).isInstanceOf(AuthenticationException.class)
                        .hasMessageContaining("we do not answer its challenge");
                assertThatThrownBy(fakeB::read).isInstanceOf(IOException.class); // closed, no answer
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
                byte[] v1 = Handshake.random();
                v1[0] = 'k';
                v1[1] = 'a';
                v1[2] = 'J';
                v1[3] = 1;
                v1[4] = 'C'; // in version 1 this byte is random
                raw.sendRaw(WireFrames.serverChallenge(v1));
                WireFrames.Frame resp = raw.read();
                assertThat(resp.type()).isEqualTo("RESP");
                assertThat(Handshake.verify("s".getBytes(StandardCharsets.UTF_8), v1,
                        Handshake.field(resp.payload(), 2),
                        Handshake.field(resp.payload(), 1))).isTrue();
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
