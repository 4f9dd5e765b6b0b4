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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Between two Java peers, a caller's cancel and deadline reach the callee, and stop its work for that caller
 * only; a Python peer never sees them.
 */
class CancelTest {

    @TempDir
    Path dir;

    public static class Slow {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean sawInterrupt = new AtomicBoolean();
        final CountDownLatch returned = new CountDownLatch(1);
        /** One future for every caller, as a cache would hand out. */
        final CompletableFuture<String> shared = new CompletableFuture<>();

        @Expose(interruptible = true)
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
        public String uninterruptible() throws InterruptedException {
            started.countDown();
            try {
                // waits for the test, and looks whether anyone interrupted it meanwhile
                while (!release.await(10, TimeUnit.MILLISECONDS)) {
                    if (Thread.currentThread().isInterrupted()) {
                        sawInterrupt.set(true);
                    }
                }
                return "done";
            } finally {
                returned.countDown();
            }
        }

        @Expose
        public CompletableFuture<String> later() {
            started.countDown();
            return shared;
        }

        @Expose(direct = true)
        public CompletableFuture<String> laterDirect() {
            return later();
        }

        final CountDownLatch ownCancelled = new CountDownLatch(1);

        /** A future made for this call: a cancel may stop it. */
        @Expose(interruptible = true)
        public CompletableFuture<String> own() {
            started.countDown();
            CompletableFuture<String> f = new CompletableFuture<>();
            f.whenComplete((v, e) -> {
                if (f.isCancelled()) {
                    ownCancelled.countDown();
                }
            });
            return f;
        }

        @Expose(direct = true, interruptible = true)
        public CompletableFuture<String> ownDirect() {
            return own();
        }

        @Expose
        public String quick() {
            return Thread.currentThread().isInterrupted() ? "interrupted" : "fine";
        }
    }

    @Test
    void aDeadlineInterruptsTheThreadOfAMethodThatAsksForIt() throws Exception {
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
    void aCancelNeverInterruptsAMethodThatDidNotAskForIt() throws Exception {
        // an interrupt would close an interruptible channel the service shares with its other callers
        Slow slow = new Slow();
        try (Server server = Server.listen("127.0.0.1:0", "s").register(slow);
                Client client = Client.connect(server.address(), "s")) {
            CompletableFuture<Object> call = client.rpc("uninterruptible");
            assertThat(slow.started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(call.cancel(true)).isTrue();
            // the CNCL is read before the next call on the same connection
            assertThat(await(client.rpc("quick"))).isEqualTo("fine");
            slow.release.countDown();
            assertThat(slow.returned.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(slow.sawInterrupt).isFalse();
        }
    }

    @Test
    void cancellingACallStopsOnlyItsWaitingForAFutureOthersShare() throws Exception {
        Slow slow = new Slow();
        try (Server server = Server.listen("127.0.0.1:0", "s").register(slow);
                Client first = Client.connect(server.address(), "s");
                Client second = Client.connect(server.address(), "s")) {
            CompletableFuture<Object> cancelled = first.rpc("later");
            CompletableFuture<Object> waiting = second.rpc("later");
            assertThat(slow.started.await(10, TimeUnit.SECONDS)).isTrue();
            await(second.rpc("quick")); // the second caller's call is out too
            assertThat(cancelled.cancel(true)).isTrue();
            await(first.rpc("quick")); // read after the cancel
            assertThat(slow.shared).isNotCancelled();
            slow.shared.complete("for everyone");
            assertThat(await(waiting)).isEqualTo("for everyone");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"own", "ownDirect"})
    void aCancelStopsAFutureMadeForTheCallWhenTheMethodAsksAndFreesItsSlot(String command) throws Exception {
        Slow slow = new Slow();
        try (Server server = Server.builder("127.0.0.1:0").secret("s").maxConcurrentCalls(2).register(slow).listen();
                Client client = Client.connect(server.address(), "s")) {
            CompletableFuture<Object> call = client.rpc(command);
            assertThat(slow.started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(call.cancel(true)).isTrue();
            assertThat(slow.ownCancelled.await(10, TimeUnit.SECONDS)).isTrue();
            // its work ended, so its slot is free: had it kept it, one more call would fill both slots and the
            // next would never be read
            assertThat(await(client.rpc("quick"))).isEqualTo("fine");
            client.rpc(command);
            assertThat(await(client.rpc("quick"))).isEqualTo("fine");
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
