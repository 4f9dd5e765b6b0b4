package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a new user meets first: addresses, waiting for a server, and errors that say what happened. */
class FirstHourTest {

    @TempDir
    Path dir;

    public static class Handlers {
        Channel peer;

        @Expose(addClient = true)
        public String viaPeer(Channel peer, String command) throws Exception {
            return String.valueOf(peer.rpc(command).get(10, TimeUnit.SECONDS)); // throws ExecutionException
        }

        @Expose
        public String joined() {
            return CompletableFuture.<String>supplyAsync(() -> {
                throw new IllegalStateException("inner failure");
            }).join(); // throws CompletionException
        }

        @Expose
        public String chained() {
            throw new UncheckedIOException("outer", new IOException("disk gone"));
        }

        @Expose
        public int divide(int a, int b) {
            return a / b;
        }

        @Expose
        public String page(String query, Optional<Integer> limit) {
            return query + ":" + limit.map(String::valueOf).orElse("all");
        }
    }

    public static class ClientSide {
        @Expose
        public String missing() {
            throw new NoSuchElementException("no such thing");
        }
    }

    @Test
    void aBarePortConnectsOverTcpOnThisHost() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new Handlers())) {
            int port = Integer.parseInt(server.address().substring(server.address().lastIndexOf(':') + 1));
            try (Client client = Client.connect(Integer.toString(port), "s")) {
                assertThat(await(client.whenOpen())).isSameAs(client);
            }
        }
    }

    @Test
    void aBareNameThatIsNoSocketSaysHowToAskForTcp() throws Exception {
        try (Client client = Client.connect("no-such-kaa-socket-" + ProcessHandle.current().pid(), "s")) {
            assertThat(failure(client.whenOpen())).isInstanceOf(ConnectException.class)
                    .hasMessageContaining("a name without ':' is a Unix socket in kaa's directory")
                    .hasMessageContaining("host:port");
        }
    }

    @Test
    void aMainCanWaitForItsServerToClose() throws Exception {
        Server server = Server.listen("127.0.0.1:0", "s");
        CompletableFuture<Server> closed = server.whenClosed();
        assertThat(server.awaitClose(Duration.ofMillis(50))).isFalse();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread main = new Thread(() -> {
            try {
                server.awaitClose();
                waiting.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        main.start();
        server.close();
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(await(closed)).isSameAs(server);
        assertThat(server.awaitClose(Duration.ofMillis(1))).isTrue();
        closed.complete(null); // a caller's copy: completing it fakes nothing
        assertThat(await(server.whenClosed())).isSameAs(server);
    }

    @Test
    void errorsReachTheCallerUnwrappedWithTheirCauses() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new Handlers());
                Client client = Client.connect(server.address(), "s")) {
            client.register(new ClientSide());
            // the handler's peer.rpc(...).get() threw ExecutionException(RemoteException(LookupError))
            RemoteException nested = (RemoteException) failure(client.rpc("viaPeer", "missing"));
            assertThat(nested.remoteType()).isEqualTo("java.util.NoSuchElementException");
            assertThat(nested.remoteMessage()).isEqualTo("no such thing");
            RemoteException joined = (RemoteException) failure(client.rpc("joined"));
            assertThat(joined.remoteType()).isEqualTo("java.lang.IllegalStateException");
            assertThat(joined.remoteMessage()).isEqualTo("inner failure");
            RemoteException chained = (RemoteException) failure(client.rpc("chained"));
            assertThat(chained.remoteType()).isEqualTo("java.io.UncheckedIOException");
            assertThat(chained.remoteMessage()).isEqualTo("outer (caused by java.io.IOException: disk gone)");
            assertThat(chained.getCause()).isInstanceOf(RemoteException.class);
            RemoteException cause = (RemoteException) chained.getCause();
            assertThat(cause.remoteType()).isEqualTo("java.io.IOException");
            assertThat(cause.remoteMessage()).isEqualTo("disk gone");
        }
    }

    @Test
    void aPythonCallerSeesPythonsTypes() throws Exception {
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "sekrit").register(new Handlers())) {
            List<String> lines = PythonPeer.run(dir, "call", server.address(), "sekrit", "divide", "1", "0");
            assertThat(String.join("\n", lines)).contains("ZeroDivisionError");
        }
    }

    @Test
    void aNullArgumentArrayIsRefusedNotSentAsNoArguments() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s");
                Client client = Client.connect(server.address(), "s")) {
            assertThatThrownBy(() -> client.rpc("x", (Object[]) null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("(Object) null");
        }
    }

    @Test
    void aRemoteErrorSaysWhereTheCallWentAndOnRequestWhereItWasMade() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new Handlers());
                Client plain = Client.connect(server.address(), "s");
                Client traced = Client.builder(server.address()).secret("s").callSites().connect()) {
            RemoteException e = (RemoteException) failure(plain.rpc("divide", 1, 0));
            assertThat(e.peer()).isEqualTo(server.address());
            assertThat(e.getSuppressed()).isEmpty();
            RemoteException t = (RemoteException) failure(traced.rpc("divide", 1, 0));
            assertThat(t.getSuppressed()).hasSize(1);
            Throwable site = t.getSuppressed()[0];
            assertThat(site).hasMessage("call 'divide' was made here");
            assertThat(site.getStackTrace()).anySatisfy(f -> assertThat(f.getMethodName())
                    .isEqualTo("aRemoteErrorSaysWhereTheCallWentAndOnRequestWhereItWasMade"));
        }
    }

    @Test
    void anAnswerThatDoesNotConvertIsDescribedInJavaTerms() throws Exception {
        try (PythonPeer python = PythonPeer.start(dir, "serve", "127.0.0.1:0", "s")) {
            String ready = python.readLine();
            try (Client client = Client.connect(ready.substring(6), "s")) {
                Throwable cast = failure(client.rpc(Integer.class, "echo", "x"));
                assertThat(cast).isInstanceOf(ClassCastException.class)
                        .hasMessage("the result of 'echo' does not convert to Integer: expected Integer, got String \"x\"");
                Throwable range = failure(client.rpc(Integer.class, "echo", 1L << 40));
                assertThat(range).hasMessageEndingWith("expected Integer, got 1099511627776, which is out of its range");
            }
        }
    }

    @Test
    void aTrailingOptionalParameterMayBeLeftOut() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new Handlers());
                Client client = Client.connect(server.address(), "s")) {
            assertThat(await(client.rpc("page", "q"))).isEqualTo("q:all");
            assertThat(await(client.rpc("page", "q", 5))).isEqualTo("q:5");
            assertThat(await(client.rpc("page", "q", (Object) null))).isEqualTo("q:all");
        }
    }
}
