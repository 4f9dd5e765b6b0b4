package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The heartbeat drops frozen peers, never a healthy one whose calls we are still working through. */
class HeartbeatTest {

    public static class Slow {
        final CountDownLatch release = new CountDownLatch(1);

        @Expose
        public String work() throws InterruptedException {
            // longer than heartbeat interval + time-out: meanwhile the server reads nothing from this client
            return release.await(10, TimeUnit.SECONDS) ? "done" : "timed out";
        }
    }

    @Test
    void aPeerWhoseCallsFillTheLimitIsNotTakenForDead() throws Exception {
        Slow slow = new Slow();
        // a probe answered within 1 s is healthy even on a loaded machine (200 ms was not, in CI, where the
        // probe could go out before the calls arrived); the window below still holds three probes' time-outs
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(slow).maxConcurrentCalls(1)
                .heartbeat(Duration.ofMillis(300), Duration.ofMillis(1000)).listen();
                Client client = Client.connect(server.address(), "s")) {
            await(client.whenOpen());
            CompletableFuture<Throwable> closed = client.closed().next();
            CompletableFuture<Object> first = client.rpc("work");
            CompletableFuture<Object> second = client.rpc("work"); // waits unread: the limit is 1
            // several heartbeat periods pass with the server's reading paused by its own limit
            assertThat(closed.completeOnTimeout(null, 4000, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS))
                    .as("closed while its calls were being worked through").isNull();
            slow.release.countDown();
            assertThat(await(first)).isEqualTo("done");
            assertThat(await(second)).isEqualTo("done");
            assertThat(client.isConnected()).isTrue();
        }
    }

    public static class Big {
        @Expose
        public String big() {
            return "x".repeat(1 << 20);
        }
    }

    @Test
    void aPeerThatReadsNoneOfOurAnswersIsUnresponsive() throws Exception {
        // our reading pauses once its answers pile up; that silence is the peer's, and it lasts past the time-out
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<Throwable> reason = new AtomicReference<>();
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new Big())
                .heartbeat(Duration.ofMillis(200), Duration.ofMillis(300)).listen()) {
            server.clientConnected().connect(ch -> ch.closed().connect(r -> {
                reason.set(r);
                closed.countDown();
            }));
            try (RawPeer hog = new RawPeer(server.address()).authenticate("s")) {
                hog.sendRaw(WireFrames.callFrames(64, "big")); // 64 MiB of answers, never read
                assertThat(closed.await(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                // by the probe sent before our answers piled up, or by the pause that followed
                assertThat(reason.get()).hasMessageContaining("peer unresponsive");
            }
        }
    }
}
