package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import kaa.rpc.demo.DemoService;
import kaa.rpc.internal.exec.IoThreads;
import kaa.rpc.internal.net.EventLoops;
import org.junit.jupiter.api.Test;

/** Where user code runs, and that nested calls cannot deadlock the reader. */
class ThreadingTest {

    public static class Nested {
        /** Blocks on a call back to its own caller before answering. */
        @Expose(addClient = true)
        public String ask(Channel caller, String question) throws Exception {
            Object answer = caller.rpc("answer", question).get(10, TimeUnit.SECONDS);
            return question + " -> " + answer;
        }

        @Expose
        public String answer(String question) {
            return "42";
        }

        @Expose
        public boolean onIoThread() {
            return IoThreads.isIoThread();
        }
    }

    @Test
    void calleeMayBlockOnANestedCallToItsCaller() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new Nested());
                Client client = Client.connect(server.address(), "s")) {
            client.register(new Nested());
            // both directions, several at once: the reader never waits for user code
            var calls = new ArrayList<CompletableFuture<Object>>();
            for (int i = 0; i < 50; i++) {
                calls.add(client.rpc("ask", "q" + i));
            }
            for (int i = 0; i < 50; i++) {
                assertThat(await(calls.get(i))).isEqualTo("q" + i + " -> 42");
            }
        }
    }

    @Test
    void userCodeNeverRunsOnAnIoThread() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new Nested());
                Client client = Client.connect(server.address(), "s")) {
            assertThat(await(client.rpc("onIoThread"))).isEqualTo(false);
            CompletableFuture<Boolean> applied = client.rpc("answer", "x").thenApply(v -> IoThreads.isIoThread());
            assertThat(await(applied)).isEqualTo(false);
            CompletableFuture<Boolean> composed = client.rpc("answer", "x").whenComplete((v, e) -> { })
                    .thenCompose(v -> CompletableFuture.completedFuture(IoThreads.isIoThread()));
            assertThat(await(composed)).isEqualTo(false);
            CompletableFuture<Boolean> signalThread = new CompletableFuture<>();
            client.closed().connect(reason -> signalThread.complete(IoThreads.isIoThread()));
            server.close();
            assertThat(await(signalThread)).isFalse();
        }
    }

    @Test
    void blockingOnAnIoThreadIsRefused() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new DemoService());
                Client client = Client.connect(server.address(), "s")) {
            CompletableFuture<Object> slow = client.rpc("slow", 5.0, "late");
            CompletableFuture<Object> onIo = new CompletableFuture<>();
            EventLoops.group().next().execute(() -> {
                try {
                    onIo.complete(slow.join());
                } catch (Throwable t) {
                    onIo.completeExceptionally(t);
                }
            });
            assertThat(failure(onIo)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("would deadlock");
        }
    }
}
