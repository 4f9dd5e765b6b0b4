package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.Test;

/** Many threads at once: every call completes exactly once, with its own answer, whatever races it. */
class ConcurrencyTest {

    private static <T> List<T> inParallel(int threads, IntFunction<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    start.await();
                    return task.apply(id);
                }));
            }
            start.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : results) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void manyThreadsOnOneChannelEachGetTheirOwnAnswers() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new DemoService());
                Client client = Client.connect(server.address(), "s")) {
            List<Integer> matched = inParallel(16, t -> {
                List<CompletableFuture<Object>> calls = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    calls.add(client.rpc("echo", t + ":" + i));
                }
                int ok = 0;
                for (int i = 0; i < calls.size(); i++) {
                    try {
                        if (calls.get(i).get(30, TimeUnit.SECONDS).equals(t + ":" + i)) {
                            ok++;
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                return ok;
            });
            assertThat(matched).hasSize(16).allSatisfy(n -> assertThat(n).isEqualTo(500));
        }
    }

    @Test
    void closeRacingCallsLeavesNoCallUnfinished() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new DemoService())) {
            for (int round = 0; round < 5; round++) {
                Client client = Client.connect(server.address(), "s");
                await(client.whenOpen());
                List<CompletableFuture<Object>> calls = Collections.synchronizedList(new ArrayList<>());
                inParallel(5, t -> {
                    if (t == 0) {
                        client.close();
                        return 0;
                    }
                    for (int i = 0; i < 300; i++) {
                        calls.add(client.rpc("echo", i));
                    }
                    return 0;
                });
                AtomicInteger answered = new AtomicInteger();
                AtomicInteger refused = new AtomicInteger();
                for (CompletableFuture<Object> f : calls) {
                    try {
                        f.get(30, TimeUnit.SECONDS);
                        answered.incrementAndGet();
                    } catch (ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(NotConnectedException.class);
                        refused.incrementAndGet();
                    }
                }
                assertThat(answered.get() + refused.get()).isEqualTo(1200);
            }
        }
    }

    public static class Toggled {
        @Expose
        public String present() {
            return "here";
        }
    }

    @Test
    void registrationRacingDispatchAnswersEveryCall() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s");
                Client client = Client.connect(server.address(), "s")) {
            Toggled toggled = new Toggled();
            List<Integer> outcomes = inParallel(4, t -> {
                if (t == 0) {
                    for (int i = 0; i < 2_000; i++) {
                        server.register(toggled);
                        server.disconnect(toggled);
                    }
                    return 0;
                }
                int done = 0;
                for (int i = 0; i < 500; i++) {
                    try {
                        Object v = client.rpc("present").get(30, TimeUnit.SECONDS);
                        assertThat(v).isEqualTo("here");
                    } catch (ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(RemoteException.class);
                        assertThat(((RemoteException) e.getCause()).remoteType()).isEqualTo("KeyError");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    done++;
                }
                return done;
            });
            assertThat(outcomes.subList(1, 4)).containsOnly(500);
        }
    }
}
