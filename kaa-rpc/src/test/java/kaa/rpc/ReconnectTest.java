package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A client with {@code retry} rides out a server that is not there yet, and one that restarts. */
class ReconnectTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void reconnectsAcrossAServerRestart(Peers.Transport transport) throws Exception {
        // the first server takes what it is given; the second listens on that same address
        Server first = Server.builder(transport.listenAddress(dir)).secret("s").register(new DemoService()).listen();
        String address = first.address();
        try (Client client = Client.builder(address).secret("s").retry(Duration.ofMillis(50)).connect()) {
            assertThat(await(client.rpc("echo", "one"))).isEqualTo("one");

            CompletableFuture<Object> pending = client.rpc("slow", 30.0, "lost");
            CompletableFuture<Throwable> lost = client.closed().next();
            first.close();
            assertThat(failure(pending)).isInstanceOf(NotConnectedException.class);
            assertThat(await(lost)).isInstanceOf(IOException.class);
            // asked once the loss is delivered, so after the first open's delivery (signals are delivered in
            // order): nothing listens now, so the next open is the reconnection's
            CompletableFuture<Channel> reopened = client.open().next();

            try (Server second = Peers.listenAgain(() -> Peers.demoServer(address))) {
                assertThat(await(reopened)).isSameAs(client);
                assertThat(await(client.rpc("echo", "two"))).isEqualTo("two");
                assertThat(second.channels()).hasSize(1);
            }
        }
    }


    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void waitsForAServerThatIsNotThereYet(Peers.Transport transport) throws Exception {
        String address = transport.fixedAddress(dir);
        try (Client client = Client.builder(address).secret("s").retry(Duration.ofMillis(50)).connect()) {
            CompletableFuture<Object> early = client.rpc("echo", "queued");
            assertThat(client.whenOpen()).isNotDone();
            try (Server server = Peers.listenAgain(() -> Peers.demoServer(address))) { // free, unless another test took it
                assertThat(await(client.whenOpen())).isSameAs(client);
                assertThat(await(early)).isEqualTo("queued");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void withoutRetryARefusedConnectionFailsEverything(Peers.Transport transport) throws Exception {
        String address = transport.fixedAddress(dir);
        try (Client client = Client.connect(address, "s")) {
            CompletableFuture<Object> early = client.rpc("echo", "x");
            assertThat(failure(client.whenOpen())).isInstanceOf(IOException.class);
            assertThat(failure(early)).isInstanceOf(NotConnectedException.class);
        }
    }

    @Test
    void aCallbackExecutorOutOfThreadsDoesNotStopTheRetry() throws Exception {
        // every callback (open, closed) fails to get a thread: the emissions are lost, the reconnection is not
        Executor outOfThreads = task -> {
            throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
        };
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new DemoService()).listen()) {
            CompletableFuture<Channel> first = server.clientConnected().next();
            try (Client client = Client.builder(server.address()).secret("s").retry(Duration.ofMillis(20))
                    .executor(outOfThreads).connect()) {
                Channel ch = await(first);
                CompletableFuture<Channel> second = server.clientConnected().next();
                ch.close();
                assertThat(await(second)).isNotSameAs(ch);
            }
        }
    }
}
