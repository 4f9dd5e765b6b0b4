package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import kaa.rpc.internal.net.EventLoops;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What would wait for ever on a kaa-rpc I/O thread is refused there, before
 * it has any effect; and what may run there (a server's close) does not wait.
 */
class IoThreadTest {

    @TempDir
    Path dir;

    /** Runs {@code work} on an I/O thread; the future has its result or what it threw. */
    private static <T> CompletableFuture<T> onIoThread(Callable<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        EventLoops.group().next().execute(() -> {
            try {
                f.complete(work.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private static void assertRefused(CompletableFuture<?> f) throws Exception {
        assertThat(failure(f)).isInstanceOf(IllegalStateException.class).hasMessageContaining("I/O thread")
                .hasMessageContaining("would deadlock");
    }

    public static final class Counter {
        final AtomicInteger calls = new AtomicInteger();

        @Expose(direct = true)
        public int bump() {
            return calls.incrementAndGet();
        }

        @Expose(direct = true)
        public int count() {
            return calls.get();
        }
    }

    public interface Counting {
        @Expose
        int bump();

        @Expose("bump")
        void bumpAndWait();

        @Expose("bump")
        CompletableFuture<Integer> bumpLater();
    }

    @Test
    void aBlockingProxyCallIsRefusedBeforeItIsSent() throws Exception {
        Counter counter = new Counter();
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(counter).listen();
                Client client = Client.connect(server.address(), "s")) {
            Counting proxy = client.proxy(Counting.class);
            assertRefused(onIoThread(proxy::bump));
            assertRefused(onIoThread(() -> {
                proxy.bumpAndWait();
                return null;
            }));
            assertThat(await(onIoThread(proxy::bumpLater)).get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the refused calls never ran on the server").isEqualTo(1);
            assertThat(proxy.bump()).isEqualTo(2); // and off the I/O threads it blocks as ever
        }
    }

    @Test
    void waitingForASignalOrAServersCloseIsRefused() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s");
                Client client = Client.connect(server.address(), "s")) {
            await(client.whenOpen());
            assertRefused(onIoThread(() -> client.closed().next().get()));
            assertRefused(onIoThread(() -> client.open().next().get(1, TimeUnit.SECONDS)));
            assertRefused(onIoThread(() -> server.clientConnected().next().join()));
            assertRefused(onIoThread(() -> server.whenClosed().get()));
            assertRefused(onIoThread(() -> server.whenClosed().thenApply(s -> s).join()));
            assertRefused(onIoThread(() -> {
                server.awaitClose();
                return null;
            }));
            assertRefused(onIoThread(() -> server.awaitClose(Duration.ofSeconds(1))));
            server.close();
            // once there is nothing to wait for, there is no deadlock to refuse
            assertThat(await(onIoThread(() -> server.whenClosed().get()))).isSameAs(server);
            assertThat(await(onIoThread(() -> server.awaitClose(Duration.ofSeconds(1))))).isTrue();
        }
    }

    @Test
    void listeningIsRefusedBeforeAnythingIsBound() throws Exception {
        Path socket = dir.resolve("refused.sock");
        assertRefused(onIoThread(() -> Server.listen(socket.toString(), "s")));
        assertThat(socket).doesNotExist();
        try (Server server = Server.listen(socket.toString(), "s")) { // and the name is free
            assertThat(Files.exists(socket)).isTrue();
        }
        // a port below the ephemeral range, which no connecting socket is given meanwhile; another process may
        // still take it between our refused listen and our own, so a few ports are tried: a refusal that had
        // bound its port would make every one fail
        for (int attempt = 1; ; attempt++) {
            String tcp = Peers.Transport.TCP.fixedAddress(dir);
            assertRefused(onIoThread(() -> Server.listen(tcp, "s")));
            try (Server server = Server.listen(tcp, "s")) { // and the port is free
                assertThat(server.address()).isEqualTo(tcp);
                break;
            } catch (BindException takenMeanwhile) {
                if (attempt == 5) {
                    throw takenMeanwhile;
                }
            }
        }
    }

    public static final class Stopper {
        volatile Server server;

        @Expose(direct = true)
        public String stop() {
            server.close();
            return "stopping";
        }
    }

    @Test
    void directMethodsOnTwoLoopsCanBothCloseTheServer() throws Exception {
        Stopper stopper = new Stopper();
        Path socket = dir.resolve("stop.sock");
        Server server = Server.builder(socket.toString()).secret("s").register(stopper).listen();
        stopper.server = server;
        try (Client a = Client.connect(server.address(), "s"); Client b = Client.connect(server.address(), "s")) {
            await(a.whenOpen());
            await(b.whenOpen());
            CompletableFuture<Object> first = a.rpc("stop");
            CompletableFuture<Object> second = b.rpc("stop");
            assertThat(await(server.whenClosed())).isSameAs(server);
            for (CompletableFuture<Object> f : List.of(first, second)) {
                try {
                    assertThat(await(f)).isEqualTo("stopping");
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(NotConnectedException.class); // closed before answering
                }
            }
            assertThat(socket).doesNotExist();
            try (Server again = Server.listen(socket.toString(), "s")) { // the socket was closed
                assertThat(again.address()).isEqualTo(server.address());
            }
        }
    }
}
