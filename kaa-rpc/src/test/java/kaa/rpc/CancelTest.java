package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Between two Java peers, a caller's cancel and deadline reach the callee; a Python peer never sees them. */
class CancelTest {

    @TempDir
    Path dir;

    public static class Slow {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);
        final CountDownLatch futureCancelled = new CountDownLatch(1);
        final CompletableFuture<String> pending = new CompletableFuture<>();

        @Expose
        public String block() {
            started.countDown();
            try {
                Thread.sleep(30_000);
                return "slept";
            } catch (InterruptedException e) {
                interrupted.countDown();
                return "interrupted";
            }
        }

        @Expose
        public CompletableFuture<String> later() {
            started.countDown();
            pending.whenComplete((v, e) -> {
                if (pending.isCancelled()) {
                    futureCancelled.countDown();
                }
            });
            return pending;
        }

        @Expose(direct = true)
        public CompletableFuture<String> laterDirect() {
            return later();
        }

        @Expose
        public String quick() {
            return Thread.currentThread().isInterrupted() ? "interrupted" : "fine";
        }
    }

    @Test
    void aDeadlineInterruptsTheCalleesThread() throws Exception {
        Slow slow = new Slow();
        try (Server server = Server.listen("127.0.0.1:0", "s").register(slow);
                Client client = Client.connect(server.address(), "s")) {
            await(client.whenOpen());
            assertThat(failure(client.withTimeout(Duration.ofMillis(300)).rpc("block")))
                    .isInstanceOf(TimeoutException.class);
            assertThat(slow.interrupted.await(10, TimeUnit.SECONDS)).isTrue();
            // the interrupt meant for that call reaches no other
            for (int i = 0; i < 20; i++) {
                assertThat(await(client.rpc("quick"))).isEqualTo("fine");
            }
        }
    }

    @Test
    void cancellingTheCallCancelsTheFutureTheCalleeReturned() throws Exception {
        Slow slow = new Slow();
        try (Server server = Server.listen("127.0.0.1:0", "s").register(slow);
                Client client = Client.connect(server.address(), "s")) {
            CompletableFuture<Object> call = client.rpc("later");
            assertThat(slow.started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(call.cancel(true)).isTrue();
            assertThat(slow.futureCancelled.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(await(client.rpc("quick"))).isEqualTo("fine");
        }
    }

    @Test
    void cancellingReachesTheFutureOfADirectCallToo() throws Exception {
        Slow slow = new Slow();
        try (Server server = Server.listen("127.0.0.1:0", "s").register(slow);
                Client client = Client.connect(server.address(), "s")) {
            CompletableFuture<Object> call = client.rpc("laterDirect");
            assertThat(slow.started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(call.cancel(true)).isTrue();
            assertThat(slow.futureCancelled.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aPythonPeerNeverSeesACancel() throws Exception {
        try (PythonPeer python = PythonPeer.start(dir, "serve", "127.0.0.1:0", "s")) {
            String ready = python.readLine();
            try (Client client = Client.connect(ready.substring(6), "s")) {
                CompletableFuture<Object> slowCall = client.rpc("slow", 5, "late");
                assertThat(failure(client.withTimeout(Duration.ofMillis(200)).rpc("slow", 5, "late")))
                        .isInstanceOf(TimeoutException.class);
                slowCall.cancel(true);
                // the peer still answers: no packet it does not know reached it
                assertThat(await(client.rpc("echo", "still here"))).isEqualTo("still here");
                assertThat(client.isConnected()).isTrue();
            }
        }
    }
}
