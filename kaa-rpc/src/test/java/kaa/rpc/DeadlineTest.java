package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-call and per-channel time-outs, and cancellation: nothing waits forever, nothing is crossed. */
class DeadlineTest {

    @TempDir
    Path dir;

    /** Answers each call to {@code hold} when the test says so. */
    public static class Held {
        final LinkedBlockingQueue<CompletableFuture<Object>> held = new LinkedBlockingQueue<>();

        @Expose
        public CompletableFuture<Object> hold() {
            CompletableFuture<Object> f = new CompletableFuture<>();
            held.add(f);
            return f;
        }

        @Expose
        public Object echo(Object x) {
            return x;
        }

        CompletableFuture<Object> next() throws InterruptedException {
            CompletableFuture<Object> f = held.poll(10, TimeUnit.SECONDS);
            assertThat(f).as("a held call").isNotNull();
            return f;
        }
    }

    @Test
    void aCallWithoutAnswerTimesOutAndItsLateAnswerIsDropped() throws Exception {
        Held held = new Held();
        try (Server server = Server.listen("127.0.0.1:0", "s").register(held);
                Client client = Client.connect(server.address(), "s")) {
            await(client.whenOpen()); // else a slow handshake could outlast the time-out, and the call never leave
            // long enough for the call to start on a loaded machine: one cancelled before it starts is skipped
            CompletableFuture<Object> late = client.withTimeout(Duration.ofMillis(2000)).rpc("hold");
            CompletableFuture<Object> running = held.next();
            Throwable t = failure(late);
            assertThat(t).isInstanceOf(TimeoutException.class)
                    .hasMessage("call 'hold' got no answer within 2 s (it may still run on the peer)");
            running.complete("too late");
            CompletableFuture<Object> next = client.rpc("hold");
            held.next().complete("on time");
            assertThat(await(next)).isEqualTo("on time");
            assertThat(await(client.rpc("echo", 1))).isEqualTo(1);
        }
    }

    @Test
    void theChannelDefaultAppliesToEveryCall() throws Exception {
        Held held = new Held();
        try (Server server = Server.listen("127.0.0.1:0", "s").register(held);
                Client client = Client.builder(server.address()).secret("s").callTimeout(Duration.ofMillis(1500))
                        .connect()) {
            assertThat(failure(client.rpc("hold"))).isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("1500 ms");
            assertThat(await(client.rpc("echo", "quick"))).isEqualTo("quick");
        }
    }

    @Test
    void aCancelledCallIsForgottenAndNeverCrossesANewerOne() throws Exception {
        Held held = new Held();
        try (Server server = Server.listen("127.0.0.1:0", "s").register(held);
                Client client = Client.connect(server.address(), "s")) {
            CompletableFuture<Object> first = client.rpc("hold");
            CompletableFuture<Object> answerOfFirst = held.next();
            assertThat(first.cancel(true)).isTrue();
            CompletableFuture<Object> second = client.rpc("hold");
            CompletableFuture<Object> answerOfSecond = held.next();
            answerOfFirst.complete("first");
            answerOfSecond.complete("second");
            assertThat(await(second)).isEqualTo("second");
            assertThat(first).isCancelled();
        }
    }

    @Test
    void aQueuedCallThatTimesOutIsNeverSent() throws Exception {
        String address = Peers.Transport.UNIX.fixedAddress(dir);
        Held held = new Held();
        try (Client client = Client.builder(address).secret("s").retry(Duration.ofMillis(50)).connect()) {
            CompletableFuture<Object> queued = client.withTimeout(Duration.ofMillis(100)).rpc("hold");
            assertThat(failure(queued)).isInstanceOf(TimeoutException.class);
            try (Server server = Server.builder(address).secret("s").register(held).listen()) {
                assertThat(await(client.rpc("echo", "after"))).isEqualTo("after");
                assertThat(held.held).as("the timed-out call never reached the server").isEmpty();
            }
        }
    }
}
