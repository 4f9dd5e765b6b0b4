package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** A server's close and its channels' signals: in order, and nothing left behind. */
class ServerLifecycleTest {

    @Test
    void closeClosesConnectionsInTheirHandshakeAtOnce() throws Exception {
        // the handshake time-out is long: only the close can end them within the test's wait
        try (Server server = Server.builder("127.0.0.1:0").secret("s").handshakeTimeout(Duration.ofMinutes(5))
                .listen(); RawPeer silent = new RawPeer(server.address())) {
            assertThat(silent.read().type()).isEqualTo("AUTH");
            server.close();
            assertThat(silent.closedByServer()).isTrue();
        }
    }

    public static final class Who {
        final CompletableFuture<Channel> caller = new CompletableFuture<>();

        @Expose(addClient = true)
        public String whoami(Channel peer) {
            caller.complete(peer);
            return "you";
        }
    }

    @Test
    void aChannelsClosedComesAfterClientConnectedForIt() throws Exception {
        Who who = new Who();
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> blocked = new CompletableFuture<>();
        Consumer<Channel> handler = ch -> {
            if (events.isEmpty()) {
                events.add("connected first");
                blocked.complete(null);
                try {
                    release.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS); // holds client-connected back
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                events.add("connected second");
                ch.closed().connect(reason -> events.add("closed second")); // must not miss it
            }
        };
        // connected before the server listens: the first client's open can never come before it
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(who).clientConnected(handler).listen();
                Client first = Client.connect(server.address(), "s")) {
            await(first.whenOpen());
            await(blocked);
            Set<Channel> before = Set.copyOf(server.channels());
            Client other = Client.connect(server.address(), "s");
            CompletableFuture<Object> answer = other.rpc("whoami"); // held, as client-connected for it waits
            await(other.whenOpen());
            Channel second = server.channels().stream().filter(c -> !before.contains(c)).findFirst().orElseThrow();
            other.close();
            assertThat(Peers.failure(answer)).as("never dispatched before client-connected")
                    .isInstanceOf(NotConnectedException.class);
            assertThat(who.caller).isNotDone();
            CompletableFuture<Throwable> closed = second.closed().next();
            // before the fix, closed is delivered while client-connected for it still waits its turn
            boolean closedEarly;
            try {
                closed.get(1, TimeUnit.SECONDS);
                closedEarly = true;
            } catch (TimeoutException held) {
                closedEarly = false;
            }
            release.countDown();
            await(closed);
            assertThat(closedEarly).as("closed delivered before client-connected").isFalse();
            assertThat(events).containsExactly("connected first", "connected second", "closed second");
        }
    }
}
