package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A server's client-connected handlers run before any call the client made is
 * dispatched, as the original's do on its main loop: what they register on
 * the new channel is there for the client's first call, however early.
 */
class ClientConnectedTest {

    /** One per connection, knowing the channel it serves. */
    public static final class Session {
        private final Channel peer;

        Session(Channel peer) {
            this.peer = peer;
        }

        @Expose
        public String whoAmI() {
            return peer.isConnected() ? "known" : "unknown";
        }
    }

    /** What a real handler may do before it registers (open a file, ask a database): 100 ms of it. */
    private static void takesItsTime() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void whatClientConnectedRegistersServesTheClientsVeryFirstCall() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s")) {
            server.clientConnected().connect(ch -> {
                takesItsTime(); // a handler that does some work first: the client's call is there long before
                ch.register(new Session(ch));
            });
            List<Client> clients = new ArrayList<>();
            List<CompletableFuture<Object>> first = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    Client c = Client.connect(server.address(), "s");
                    clients.add(c);
                    first.add(c.rpc("whoAmI")); // made before the handshake: sent the moment it completes
                }
                for (CompletableFuture<Object> f : first) {
                    assertThat(await(f)).isEqualTo("known");
                }
            } finally {
                clients.forEach(Client::close);
            }
        }
    }

    /** A service per client that calls its own client back. */
    public static final class Jobs {
        private final Channel client;

        Jobs(Channel client) {
            this.client = client;
        }

        @Expose
        public CompletableFuture<Object> run(String job) {
            return client.rpc("progress", job); // the caller of this very call, not another client
        }
    }

    /** A client's side of the callback. */
    public static final class Progress {
        private final String name;

        Progress(String name) {
            this.name = name;
        }

        @Expose
        public String progress(String job) {
            return name + " ran " + job;
        }
    }

    @Test
    void aServicePerClientIsMadeForEachClientBeforeItsFirstCall() throws Exception {
        List<Channel> made = new CopyOnWriteArrayList<>();
        try (Server server = Server.builder("127.0.0.1:0").secret("s")
                .registerPerClient(ch -> {
                    made.add(ch);
                    return new Jobs(ch);
                })
                .clientConnected(ch -> takesItsTime())
                .listen();
                Client a = Client.builder(server.address()).secret("s").register(new Progress("a")).connect();
                Client b = Client.builder(server.address()).secret("s").register(new Progress("b")).connect()) {
            CompletableFuture<Object> fromA = a.rpc("run", "build"); // both before their handshakes
            CompletableFuture<Object> fromB = b.rpc("run", "test");
            assertThat(await(fromA)).isEqualTo("a ran build");
            assertThat(await(fromB)).isEqualTo("b ran test");
            assertThat(made).hasSize(2).doesNotHaveDuplicates();
        }
    }

    @Test
    void aFactoryThatFailsClosesThatClientsConnection() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s")
                .registerPerClient(ch -> {
                    throw new IllegalStateException("no database");
                }).listen();
                Client client = Client.connect(server.address(), "s")) {
            assertThat(Peers.failure(client.rpc("run", "x"))).isInstanceOf(NotConnectedException.class);
        }
    }

    /** One object for every client: it finds its caller with Channel.current(). */
    public static final class SharedJobs {
        @Expose
        public CompletableFuture<Object> run(String job) {
            return Channel.current().rpc("progress", job);
        }

        @Expose(direct = true)
        public String peer() {
            return Channel.current() instanceof Client ? "a client" : "a server's channel";
        }
    }

    @Test
    void oneServiceFindsEachCallersChannelWhileItsMethodRuns() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new SharedJobs()).listen();
                Client a = Client.builder(server.address()).secret("s").register(new Progress("a")).connect();
                Client b = Client.builder(server.address()).secret("s").register(new Progress("b")).connect()) {
            assertThat(await(a.rpc("run", "build"))).isEqualTo("a ran build");
            assertThat(await(b.rpc("run", "test"))).isEqualTo("b ran test");
            assertThat(await(a.rpc("peer"))).isEqualTo("a server's channel");
        }
        assertThatThrownBy(Channel::current).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only known inside an exposed method");
    }

    /** The client side of a greeting. */
    public static final class Hello {
        @Expose
        public String hello() {
            return "hi";
        }
    }

    @Test
    void aHandlerMayWaitForItsClientsAnswer() throws Exception {
        // only the client's calls wait for client-connected: its answers to the handler's calls go through
        CompletableFuture<Object> heard = new CompletableFuture<>();
        try (Server server = Server.builder("127.0.0.1:0").secret("s")
                .clientConnected(ch -> {
                    try {
                        heard.complete(ch.rpc("hello").get(10, TimeUnit.SECONDS));
                    } catch (Exception e) {
                        heard.complete(e);
                    }
                }).listen();
                Client client = Client.builder(server.address()).secret("s").register(new Hello()).connect()) {
            assertThat(await(heard)).isEqualTo("hi");
        }
    }

    @Test
    void aFactoryWhoseClassCannotLoadClosesThatClientsConnection() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s")
                .registerPerClient(ch -> {
                    throw new ExceptionInInitializerError("the service's static initialiser failed");
                }).listen();
                Client client = Client.connect(server.address(), "s")) {
            assertThat(Peers.failure(client.rpc("run", "x"))).isInstanceOf(NotConnectedException.class);
        }
    }

    /** A UI's side, one per connection, knowing the client it belongs to. */
    public static final class Ui {
        private final Client client;
        final int generation;

        Ui(Client client, int generation) {
            this.client = client;
            this.generation = generation;
        }

        @Expose
        public String hello() {
            return "ui " + generation + (client.isConnected() ? " connected" : " not connected");
        }
    }

    @Test
    void aClientsServicePerConnectionIsThereForTheServersFirstCall() throws Exception {
        // the server calls each client from client-connected, before the client can have done anything
        List<CompletableFuture<Object>> heard = new CopyOnWriteArrayList<>();
        try (Server server = Server.builder("127.0.0.1:0").secret("s")
                .clientConnected(ch -> heard.add(ch.rpc("hello"))).listen()) {
            List<Client> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    int[] generation = {0};
                    clients.add(Client.builder(server.address()).secret("s")
                            .registerPerConnection(c -> {
                                takesItsTime(); // slower than the server's call: it waits for the service
                                return new Ui(c, ++generation[0]);
                            }).connect());
                }
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (heard.size() < 20 && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                assertThat(heard).hasSize(20);
                for (CompletableFuture<Object> f : heard) {
                    assertThat(await(f)).isEqualTo("ui 1 connected");
                }
            } finally {
                clients.forEach(Client::close);
            }
        }
    }

    @Test
    void aReconnectedClientGetsAFreshServiceForItsNewConnection() throws Exception {
        List<Ui> made = new CopyOnWriteArrayList<>();
        int[] generation = {0};
        try (Server server = Server.builder("127.0.0.1:0").secret("s").listen();
                Client client = Client.builder(server.address()).secret("s").retry(Duration.ofMillis(20))
                        .registerPerConnection(c -> {
                            Ui ui = new Ui(c, ++generation[0]);
                            made.add(ui);
                            return ui;
                        }).connect()) {
            Channel first = await(server.clientConnected().next());
            assertThat(await(first.rpc("hello"))).isEqualTo("ui 1 connected");
            CompletableFuture<Channel> next = server.clientConnected().next();
            first.close(); // the client reconnects
            Channel second = await(next);
            assertThat(await(second.rpc("hello"))).isEqualTo("ui 2 connected");
            assertThat(made).hasSize(2);
        }
    }

    @Test
    void aClientsFactoryThatFailsClosesTheClient() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").listen();
                Client client = Client.builder(server.address()).secret("s").retry(Duration.ofMillis(20))
                        .registerPerConnection(c -> null).connect()) {
            await(client.whenOpen());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!client.session.isClosed() && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertThat(client.session.isClosed()).isTrue(); // closed for good: no reconnection either
            assertThat(Peers.failure(client.rpc("x"))).isInstanceOf(NotConnectedException.class)
                    .hasMessageContaining("closed");
        }
    }

    /** A client whose factory fails has opened all the same: whenOpen says so, then the client closes. */
    @Test
    void whenOpenCompletesForAClientThatOpenedEvenIfItsFactoryThenClosesIt() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").listen();
                Client client = Client.builder(server.address()).secret("s").executor(Runnable::run)
                        .registerPerConnection(c -> null).connect()) {
            CompletableFuture<Client> open = client.whenOpen();
            assertThat(open).as("whenOpen: 'Completes with this client when the channel first opens'")
                    .succeedsWithin(Duration.ofSeconds(10)).isSameAs(client);
        }
    }
}
