package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Connection observers: told of opening, packets and end, failed handshakes and refusals; never break a connection. */
class ConnectionObserverTest {

    @TempDir
    Path dir;

    /** Each event as a line: "opened TCP java", "received CALL 45", "failed wrong-secret", ... */
    static final class Recorder implements ConnectionObserver {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        volatile ConnectionInfo opened;
        volatile SocketAddress failedFrom;

        @Override
        public void opened(ConnectionInfo c) {
            opened = c;
            events.add("opened " + c.transport() + (c.peerIsJava() ? " java" : " python"));
        }

        @Override
        public void closed(ConnectionInfo c, Throwable reason) {
            events.add("closed " + (c == opened) + " " + reason.getClass().getSimpleName());
        }

        @Override
        public void handshakeFailed(SocketAddress remote, String reason) {
            failedFrom = remote;
            events.add("failed " + reason);
        }

        @Override
        public void refused(SocketAddress remote, String limit) {
            events.add("refused " + limit);
        }

        @Override
        public void packetReceived(ConnectionInfo c, String type, long bytes) {
            events.add("received " + type + " " + bytes);
        }

        @Override
        public void packetSent(ConnectionInfo c, String type, long bytes) {
            events.add("sent " + type + " " + bytes);
        }

        /** The events up to and including the first that starts with {@code prefix}, waiting a bounded time. */
        List<String> until(String prefix) throws InterruptedException {
            List<String> seen = new ArrayList<>();
            long end = System.nanoTime() + Peers.WAIT.toNanos();
            while (true) {
                String e = events.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no event '" + prefix + "' within " + Peers.WAIT + "; saw " + seen);
                }
                seen.add(e);
                if (e.startsWith(prefix)) {
                    return seen;
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void bothSidesSeeTheOpeningEachPacketAndTheEnd(Peers.Transport transport) throws Exception {
        Recorder server = new Recorder();
        Recorder client = new Recorder();
        try (Server s = Server.builder(transport.listenAddress(dir)).secret("s").observer(server)
                .register(new DemoService()).listen()) {
            try (Client c = Client.builder(s.address()).secret("s").observer(client).connect()) {
                assertThat(await(c.rpc("echo", "hi"))).isEqualTo("hi");
                List<String> clientSide = client.until("received RETN");
                assertThat(clientSide.get(0)).isEqualTo("opened " + transport + " java");
                assertThat(clientSide).noneMatch(e -> e.contains("AUTH") || e.contains("RESP"));
                String sentCall = clientSide.stream().filter(e -> e.startsWith("sent CALL")).findFirst().orElseThrow();
                String gotRetn = clientSide.get(clientSide.size() - 1);

                List<String> serverSide = server.until("sent RETN");
                assertThat(serverSide.get(0)).isEqualTo("opened " + transport + " java");
                assertThat(serverSide).noneMatch(e -> e.contains("AUTH") || e.contains("RESP"));
                // the same frames, counted the same way (header and payload) at both ends
                assertThat(serverSide).contains(sentCall.replace("sent", "received"));
                assertThat(serverSide.get(serverSide.size() - 1)).isEqualTo(gotRetn.replace("received", "sent"));
                long bytes = Long.parseLong(sentCall.substring("sent CALL ".length()));
                assertThat(bytes).isGreaterThan(12);
                ConnectionInfo info = server.opened;
                assertThat(info.transport()).isEqualTo(ConnectionInfo.Transport.valueOf(transport.name()));
                assertThat(info.localAddress()).isNotNull();
                if (transport == Peers.Transport.TCP) {
                    assertThat(info.remoteAddress()).isEqualTo(client.opened.localAddress());
                    assertThat(((InetSocketAddress) info.localAddress()).getPort())
                            .isEqualTo(((InetSocketAddress) client.opened.remoteAddress()).getPort());
                    assertThat(info.toString()).matches("TCP 127\\.0\\.0\\.1:\\d+ <-> 127\\.0\\.0\\.1:\\d+ \\(java peer\\)");
                }
                assertThat(info.toString()).contains(transport.name()).contains("java peer");
            }
            assertThat(server.until("closed")).last().isEqualTo("closed true NotConnectedException");
        }
        assertThat(client.until("closed")).last().asString().startsWith("closed true");
    }

    @Test
    void aPacketOfAnUnknownTypeIsNamedUnknownSoNoPeerMakesMoreNames() throws Exception {
        Recorder server = new Recorder();
        try (Server s = Server.builder("127.0.0.1:0").secret("s").observer(server).listen()
                        .register(new kaa.rpc.demo.DemoService());
                RawPeer peer = new RawPeer(s.address()).authenticate("s")) {
            server.until("opened");
            for (String junk : List.of("ZZZZ", "\u0000\u0001\u0002\u0003", "call")) {
                peer.send(1, junk, new byte[3]);
            }
            peer.call(2, "echo", "x");
            assertThat(peer.read().value()).isEqualTo("x");
            List<String> seen = server.until("received CALL");
            assertThat(seen).filteredOn(e -> e.startsWith("received ")).containsExactly("received UNKNOWN 15",
                    "received UNKNOWN 15", "received UNKNOWN 15", seen.get(seen.size() - 1));
        }
    }

    @Test
    void aWrongSecretIsAFailedHandshakeOnBothSides() throws Exception {
        Recorder server = new Recorder();
        Recorder client = new Recorder();
        try (Server s = Server.builder("127.0.0.1:0").secret("right").observer(server).listen();
                Client c = Client.builder(s.address()).secret("wrong").observer(client).connect()) {
            assertThat(failure(c.whenOpen())).isInstanceOf(AuthenticationException.class);
            assertThat(server.until("failed")).containsExactly("failed wrong-secret");
            assertThat(client.until("failed")).containsExactly("failed wrong-secret");
            assertThat(server.failedFrom).isInstanceOf(InetSocketAddress.class);
        }
    }

    @Test
    void silenceAndJunkAreATimeOutAndMalformed() throws Exception {
        Recorder server = new Recorder();
        try (Server s = Server.builder("127.0.0.1:0").secret("s").observer(server)
                .handshakeTimeout(Duration.ofMillis(300)).listen()) {
            int port = Integer.parseInt(s.address().substring(s.address().lastIndexOf(':') + 1));
            try (Socket silent = new Socket("127.0.0.1", port)) {
                assertThat(server.until("failed")).containsExactly("failed timeout");
            }
            try (Socket junk = new Socket("127.0.0.1", port)) {
                OutputStream out = junk.getOutputStream();
                out.write(WireFrames.frame(0, "CALL", 60, new byte[0]));
                out.write(new byte[60]);
                out.flush();
                assertThat(server.until("failed")).containsExactly("failed malformed");
                assertThat(junk.getInputStream().readAllBytes()).hasSize(72); // our AUTH, then the close
            }
        }
    }

    @Test
    void aConnectionOverTheLimitIsRefusedByName() throws Exception {
        Recorder server = new Recorder();
        try (Server s = Server.builder("127.0.0.1:0").secret("s").maxConnections(1).observer(server).listen();
                Client first = Client.connect(s.address(), "s")) {
            await(first.whenOpen());
            assertThat(server.until("opened")).containsExactly("opened TCP java");
            int port = Integer.parseInt(s.address().substring(s.address().lastIndexOf(':') + 1));
            try (Socket second = new Socket("127.0.0.1", port)) {
                InputStream in = second.getInputStream();
                assertThat(in.read()).as("closed without a byte").isEqualTo(-1);
                assertThat(server.until("refused")).containsExactly("refused maxConnections");
            }
        }
    }

    @Test
    void anObserverThatThrowsBreaksNothingAndTheNextIsStillTold() throws Exception {
        ConnectionObserver broken = new ConnectionObserver() {
            @Override
            public void opened(ConnectionInfo c) {
                throw new IllegalStateException("opened");
            }

            @Override
            public void packetReceived(ConnectionInfo c, String type, long bytes) {
                throw new IllegalStateException("received");
            }

            @Override
            public void packetSent(ConnectionInfo c, String type, long bytes) {
                throw new IllegalStateException("sent");
            }
        };
        Recorder after = new Recorder();
        try (Server s = Server.builder("127.0.0.1:0").secret("s").observer(broken).observer(after)
                .register(new DemoService()).listen();
                Client c = Client.builder(s.address()).secret("s").observer(broken).connect()) {
            for (int i = 0; i < 20; i++) {
                assertThat(await(c.rpc("add", i, 1))).isEqualTo(i + 1);
            }
            List<String> seen = after.until("opened");
            assertThat(seen).containsExactly("opened TCP java");
            for (int retns = 0; retns < 20; retns++) {
                after.until("sent RETN");
            }
            assertThat(c.isConnected()).isTrue();
        }
    }

    @Test
    void anObserverThatFailsAnAssertionBreaksNothingEither() throws Exception {
        ConnectionObserver asserting = new ConnectionObserver() {
            @Override
            public void opened(ConnectionInfo c) {
                throw new AssertionError("opened"); // an assert of the observer's, under -ea
            }

            @Override
            public void packetReceived(ConnectionInfo c, String type, long bytes) {
                throw new AssertionError("received");
            }

            @Override
            public void packetSent(ConnectionInfo c, String type, long bytes) {
                throw new AssertionError("sent");
            }
        };
        Recorder after = new Recorder();
        try (Server s = Server.builder("127.0.0.1:0").secret("s").observer(asserting).observer(after)
                .register(new DemoService()).listen();
                Client c = Client.builder(s.address()).secret("s").observer(asserting).connect()) {
            for (int i = 0; i < 5; i++) {
                assertThat(await(c.rpc("add", i, 1))).isEqualTo(i + 1);
            }
            assertThat(after.until("opened")).containsExactly("opened TCP java");
            assertThat(c.isConnected()).isTrue();
        }
    }
}
