package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The call table and the count of running calls stay true however a call
 * ends: settled by the caller, timed out, refused, or outlived by its
 * connection.
 */
class CallTableTest {

    /** Calls that hold until the test lets them go, one future each. */
    public static final class Holds {
        final BlockingQueue<CompletableFuture<String>> held = new LinkedBlockingQueue<>();

        @Expose
        public CompletionStage<String> hold() {
            CompletableFuture<String> f = new CompletableFuture<>();
            held.add(f);
            return f;
        }

        @Expose
        public String ping() {
            return "pong";
        }

        CompletableFuture<String> next() throws InterruptedException {
            CompletableFuture<String> f = held.poll(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(f).as("a held call arrived").isNotNull();
            return f;
        }
    }

    @Test
    void aCallSettledByItsCallerLeavesNothingBehind() throws Exception {
        Holds holds = new Holds();
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(holds).listen();
                Client client = Client.connect(server.address(), "s")) {
            await(client.whenOpen());
            List<CompletableFuture<Object>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                calls.add(client.rpc("hold").orTimeout(50, TimeUnit.MILLISECONDS));
            }
            CompletableFuture<Object> completed = client.rpc("hold");
            completed.complete("mine");
            CompletableFuture<Object> obtruded = client.rpc("hold");
            obtruded.obtrudeException(new IllegalStateException("mine"));
            for (CompletableFuture<Object> c : calls) {
                assertThat(failure(c)).isInstanceOf(TimeoutException.class);
            }
            assertThat(client.session.callsInFlight()).isZero();
            // the server heard of each cancel (a Java peer): a call not yet started never ran, one that ran had
            // its future cancelled; whatever still arrives and answers late is dropped
            int ran = 0;
            for (CompletableFuture<String> f = holds.held.poll(200, TimeUnit.MILLISECONDS); f != null;
                    f = holds.held.poll(200, TimeUnit.MILLISECONDS)) {
                f.complete("late");
                ran++;
            }
            assertThat(ran).isLessThanOrEqualTo(202);
            assertThat(await(client.rpc("ping"))).isEqualTo("pong");
            assertThat(client.session.callsInFlight()).isZero();
        }
    }

    @Test
    void aQueuedCallSettledByItsCallerIsNeverSent() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            try (Client client = Client.connect(fake.getLocalPort(), "s"); Socket s = fake.accept()) {
                CompletableFuture<Object> unwanted = client.rpc("unwanted");
                CompletableFuture<Object> wanted = client.rpc("wanted");
                unwanted.complete("settled before open");
                assertThat(client.session.callsInFlight()).isEqualTo(1);
                FakeServer raw = new FakeServer(s, "s");
                raw.handshake();
                WireFrames.Frame first = raw.read();
                assertThat(first.type()).isEqualTo("CALL");
                assertThat(((Object[]) first.value())[0]).isEqualTo("wanted");
            }
        }
    }

    @Test
    void callsMadeWhileTheServerIsDownAreBounded() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // closed again: nobody listens there
        }
        try (Client client = Client.builder("127.0.0.1:" + port).secret("s").retry(Duration.ofSeconds(30))
                .connect()) {
            List<CompletableFuture<Object>> queued = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                queued.add(client.rpc("echo", (Object) new byte[1 << 20]));
            }
            Throwable refused = failure(client.rpc("echo", (Object) new byte[2 << 20]));
            assertThat(refused).isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("wait for the connection to open");
            assertThat(client.session.callsInFlight()).isEqualTo(15);
            queued.get(0).cancel(false); // makes room
            CompletableFuture<Object> fits = client.rpc("echo", (Object) new byte[1 << 20]);
            assertThat(fits).isNotDone();
            client.close();
            assertThat(failure(fits)).isInstanceOf(NotConnectedException.class);
        }
    }

    @Test
    void callsOfALostConnectionCountAgainstTheNextUntilTheirWorkEnds() throws Exception {
        // a retrying client that lets the server run two calls at a time; one runs on across a reconnect, and
        // holds its slot until it ends: hanging up must not let a peer run more than its limit
        Holds holds = new Holds();
        String address = Peers.Transport.TCP.fixedAddress(null);
        try (Client client = Client.builder(address).secret("s").retry(Duration.ofMillis(100)).maxConcurrentCalls(2)
                .register(holds).connect()) {
            CompletableFuture<String> old;
            try (Server first = Peers.listenAgain(() -> Server.listen(address, "s"))) {
                await(client.whenOpen());
                Channel toClient = channelOf(first);
                toClient.rpc("hold");
                old = holds.next();
            }
            CompletableFuture<Channel> reopened = new CompletableFuture<>();
            try (Server second = bindAgain(address)) {
                second.clientConnected().connect(reopened::complete);
                Channel toClient = await(reopened);
                CompletableFuture<Object> a = toClient.rpc("hold");
                CompletableFuture<Object> b = toClient.rpc("hold");
                CompletableFuture<String> heldA = holds.next();
                assertThat(holds.held.poll(300, TimeUnit.MILLISECONDS))
                        .as("a second call ran beside the old connection's").isNull();
                old.complete("old connection's call ends"); // its slot is free: the second call runs
                CompletableFuture<String> heldB = holds.next();
                heldA.complete("done");
                heldB.complete("done");
                assertThat(await(a)).isEqualTo("done");
                assertThat(await(b)).isEqualTo("done");
                assertThat(await(toClient.rpc("ping"))).isEqualTo("pong");
                for (int i = 0; i < 5; i++) { // and the limit still holds: two at a time
                    toClient.rpc("hold");
                }
                holds.next();
                holds.next();
                assertThat(holds.held.poll(300, TimeUnit.MILLISECONDS)).as("a third call ran at once").isNull();
            }
        }
    }

    /** The server's channel to its one client: the server may learn of it a moment after the client. */
    private static Channel channelOf(Server server) {
        long deadline = System.nanoTime() + Peers.WAIT.toNanos();
        while (server.channels().isEmpty()) {
            assertThat(System.nanoTime()).as("the server sees its client").isLessThan(deadline);
            Thread.onSpinWait();
        }
        return server.channels().iterator().next();
    }

    /** Listens at {@code address} again, while the previous server's closing connections may still hold it. */
    private static Server bindAgain(String address) throws Exception {
        long deadline = System.nanoTime() + Peers.WAIT.toNanos();
        while (true) {
            try {
                return Server.listen(address, "s");
            } catch (BindException stillHeld) {
                if (System.nanoTime() > deadline) {
                    throw stillHeld;
                }
                Thread.onSpinWait();
            }
        }
    }
}
