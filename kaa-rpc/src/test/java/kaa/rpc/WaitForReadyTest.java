package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Calls that wait for a retrying client to be ready, and the bound on every call that waits to be sent. */
class WaitForReadyTest {

    @TempDir
    Path dir;

    public interface Echo {
        @Expose
        String echo(String s);
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void aCallMadeWhileReconnectingWaitsForTheNextOpen(Peers.Transport transport) throws Exception {
        Server first = Server.builder(transport.listenAddress(dir)).secret("s").register(new DemoService()).listen();
        String address = first.address();
        try (Client client = Client.builder(address).secret("s").retry(Duration.ofMillis(50)).connect()) {
            assertThat(await(client.rpc("echo", "one"))).isEqualTo("one");
            CompletableFuture<Throwable> lost = client.closed().next();
            first.close();
            await(lost);
            // disconnected now: a plain call fails at once, those that wait for ready wait
            assertThat(failure(client.rpc("echo", "x"))).isInstanceOf(NotConnectedException.class);
            CompletableFuture<Object> waiting = client.waitingForReady().rpc("echo", "two");
            Echo proxy = client.waitingForReady().withTimeout(Duration.ofSeconds(20)).proxy(Echo.class);
            CompletableFuture<String> byProxy = CompletableFuture.supplyAsync(() -> proxy.echo("three"));
            assertThat(waiting).isNotDone();
            try (Server second = Peers.listenAgain(() -> Peers.demoServer(address))) {
                assertThat(await(waiting)).isEqualTo("two");
                assertThat(await(byProxy)).isEqualTo("three");
            }
        }
    }

    @Test
    void aClientBuiltToWaitForReadyMakesEveryCallWait() throws Exception {
        Server first = Server.builder("127.0.0.1:0").secret("s").register(new DemoService()).listen();
        String address = first.address();
        try (Client client = Client.builder(address).secret("s").retry(Duration.ofMillis(50)).waitForReady()
                .connect()) {
            assertThat(await(client.rpc("echo", "one"))).isEqualTo("one");
            CompletableFuture<Throwable> lost = client.closed().next();
            first.close();
            await(lost);
            CompletableFuture<Object> waiting = client.rpc("echo", "two");
            CompletableFuture<Object> bounded = client.withTimeout(Duration.ofMillis(100)).rpc("echo", "late");
            assertThat(failure(bounded)).isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("never sent");
            try (Server second = Peers.listenAgain(() -> Peers.demoServer(address))) {
                assertThat(await(waiting)).isEqualTo("two");
            }
        }
    }

    @Test
    void aCallQueuedBeforeTheFirstOpenWaitsNoLongerThanTheReadyTimeout() throws Exception {
        String address = Peers.Transport.TCP.fixedAddress(dir);
        try (Client client = Client.builder(address).secret("s").retry(Duration.ofMillis(50))
                .readyTimeout(Duration.ofMillis(200)).connect()) {
            CompletableFuture<Object> early = client.rpc("echo", "x");
            assertThat(failure(early)).isInstanceOf(NotConnectedException.class)
                    .hasMessageContaining("call 'echo' waited 200 ms for the connection to open, and was never sent");
            assertThat(client.session.callsInFlight()).isZero();
            // the client still tries: a server that comes later serves later calls
            try (Server server = Peers.listenAgain(() -> Peers.demoServer(address))) {
                assertThat(await(client.whenOpen())).isSameAs(client);
                assertThat(await(client.rpc("echo", "y"))).isEqualTo("y");
            }
        }
    }

    @Test
    void aCallWaitsForTheFirstOpenAtMostTheReadyTimeOutAndNeverPastItsOwn() throws Exception {
        String address = Peers.Transport.TCP.fixedAddress(dir);
        try (Client client = Client.builder(address).secret("s").retry(Duration.ofMillis(50))
                .readyTimeout(Duration.ofSeconds(20)).connect()) {
            CompletableFuture<Object> early = client.withTimeout(Duration.ofSeconds(20)).rpc("echo", "x");
            // its own time-out comes before the ready time-out: that is its bound
            CompletableFuture<Object> other = client.withTimeout(Duration.ofMillis(300)).rpc("echo", "y");
            assertThat(failure(other)).isInstanceOf(TimeoutException.class);
            assertThat(early).isNotDone();
            try (Server server = Peers.listenAgain(() -> Peers.demoServer(address))) {
                assertThat(await(early)).isEqualTo("x");
            }
        }
    }

    @Test
    void waitingForReadyOnAClosedChannelFailsAtOnce() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new DemoService()).listen()) {
            Client client = Client.connect(server.address(), "s");
            await(client.whenOpen());
            client.close();
            assertThat(failure(client.waitingForReady().rpc("echo", "x"))).isInstanceOf(NotConnectedException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Test
    void aNonRetryingClientsLostConnectionFailsACallThatWaitsForReady() throws Exception {
        Server server = Server.builder("127.0.0.1:0").secret("s").register(new DemoService()).listen();
        try (Client client = Client.builder(server.address()).secret("s").waitForReady().connect()) {
            await(client.whenOpen());
            CompletableFuture<Throwable> lost = client.closed().next();
            server.close();
            assertThat(await(lost)).isInstanceOf(IOException.class);
            assertThat(failure(client.rpc("echo", "x"))).isInstanceOf(NotConnectedException.class);
        }
    }
}
