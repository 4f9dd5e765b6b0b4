package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import kaa.rpc.internal.exec.IoThreads;
import org.junit.jupiter.api.Test;

/**
 * Interceptors on both sides: their order, their one completion per call
 * whatever the outcome, refusals, changes, headers, and failures that stay
 * with their call.
 */
class InterceptorTest {

    public static class Service {
        final CountDownLatch blockStarted = new CountDownLatch(1);
        final AtomicInteger echoes = new AtomicInteger();

        @Expose
        public Object echo(Object x) {
            echoes.incrementAndGet();
            return x;
        }

        @Expose
        public int add(int a, int b) {
            return a + b;
        }

        @Expose
        public void fail(String message) {
            throw new IllegalStateException(message);
        }

        @Expose(interruptible = true)
        public String block() throws InterruptedException {
            blockStarted.countDown();
            Thread.sleep(30_000);
            return "slept";
        }

        @Expose
        public String thread() {
            return Thread.currentThread().getName();
        }

        @Expose
        public boolean callerKnown() {
            return Channel.current() != null; // throws outside an exposed method
        }
    }

    /** Records what each interceptor saw, in order: "name>" on the way in, "<name:outcome" on the way out. */
    static final class Trace {
        final List<String> events = new CopyOnWriteArrayList<>();

        OutgoingInterceptor outgoing(String name) {
            return (call, next) -> {
                events.add(name + ">" + call.command());
                return next.proceed(call).whenComplete((v, e) -> events.add("<" + name + ":" + outcome(v, e)));
            };
        }

        IncomingInterceptor incoming(String name) {
            return (call, next) -> {
                events.add(name + ">" + call.command());
                return next.proceed(call).whenComplete((v, e) -> events.add("<" + name + ":" + outcome(v, e)));
            };
        }

        static String outcome(Object v, Throwable e) {
            Throwable c = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
            return c == null ? String.valueOf(v) : c.getClass().getSimpleName();
        }

        /** What was recorded: by the time a call's future completes, every interceptor of both sides has seen it end. */
        List<String> events() {
            return List.copyOf(events);
        }
    }

    @Test
    void theFirstInstalledIsOutermostOnBothSides() throws Exception {
        Trace server = new Trace();
        Trace client = new Trace();
        try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(server.incoming("a"))
                        .interceptIncoming(server.incoming("b")).listen().register(new Service());
                Client c = Client.builder(s.address()).secret("s").interceptOutgoing(client.outgoing("x"))
                        .interceptOutgoing(client.outgoing("y")).connect()) {
            assertThat(await(c.rpc("add", 1, 2))).isEqualTo(3);
            assertThat(client.events()).containsExactly("x>add", "y>add", "<y:3", "<x:3");
            assertThat(server.events()).containsExactly("a>add", "b>add", "<b:3", "<a:3");
        }
    }

    @Test
    void everyOutcomeCompletesTheInterceptedCallExactlyOnce() throws Exception {
        Semaphore completions = new Semaphore(0);
        List<String> outcomes = new CopyOnWriteArrayList<>();
        OutgoingInterceptor counting = (call, next) -> next.proceed(call).whenComplete((v, e) -> {
            outcomes.add(call.command() + ":" + Trace.outcome(v, e));
            completions.release();
        });
        Service service = new Service();
        try (Server s = Server.builder("127.0.0.1:0").secret("s").listen().register(service);
                Client c = Client.builder(s.address()).secret("s").interceptOutgoing(counting).connect()) {
            assertThat(await(c.rpc("echo", "x"))).isEqualTo("x");
            assertThat(failure(c.rpc("fail", "no"))).isInstanceOf(RemoteException.class);
            assertThat(failure(c.rpc("nosuch"))).isInstanceOf(RemoteException.class);
            assertThat(failure(c.withTimeout(Duration.ofMillis(200)).rpc("block")))
                    .isInstanceOf(TimeoutException.class);
            assertThat(completions.tryAcquire(4, 10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Object> cancelled = c.rpc("block");
            assertThat(cancelled.cancel(true)).isTrue();
            assertThat(completions.tryAcquire(10, TimeUnit.SECONDS)).isTrue(); // the cancel reached the call
            CompletableFuture<Object> lost = c.rpc("block");
            assertThat(service.blockStarted.await(10, TimeUnit.SECONDS)).isTrue();
            s.close(); // the connection is lost while "block" runs
            assertThat(failure(lost)).isInstanceOf(NotConnectedException.class);
            assertThat(completions.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            c.close();
            assertThat(failure(c.rpc("echo", 1))).isInstanceOf(NotConnectedException.class);
            assertThat(completions.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(outcomes).containsExactly("echo:x", "fail:RemoteException", "nosuch:RemoteException",
                "block:TimeoutException", "block:CancellationException", "block:NotConnectedException",
                "echo:NotConnectedException");
        assertThat(completions.availablePermits()).isZero(); // none completed twice
    }

    @Test
    void aRefusalReachesTheCallerAsARuntimeErrorWithTheMessageAlone() throws Exception {
        IncomingInterceptor refuse = (call, next) -> {
            if (call.command().equals("echo")) {
                throw new CallRefusedException("echo is not for you");
            }
            return next.proceed(call);
        };
        Service service = new Service();
        try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(refuse).listen().register(service);
                Client c = Client.connect(s.address(), "s")) {
            RemoteException e = (RemoteException) failure(c.rpc("echo", 1));
            assertThat(e.remoteType()).isEqualTo("RuntimeError");
            assertThat(e.remoteMessage()).isEqualTo("echo is not for you");
            assertThat(e.frames()).isEmpty();
            assertThat(service.echoes).hasValue(0);
            assertThat(await(c.rpc("add", 2, 3))).isEqualTo(5);
            // a failed stage refuses as a throw does, and may name another builtin
            IncomingInterceptor asValueError = (call, next) ->
                    CompletableFuture.failedFuture(new CallRefusedException("ValueError", "bad " + call.command()));
            try (Server s2 = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(asValueError).listen();
                    Client c2 = Client.connect(s2.address(), "s")) {
                RemoteException e2 = (RemoteException) failure(c2.rpc("anything"));
                assertThat(e2.remoteType()).isEqualTo("ValueError");
                assertThat(e2.remoteMessage()).isEqualTo("bad anything");
            }
        }
        assertThatThrownBy(() -> new CallRefusedException("PermissionError", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Python 2 and 3");
    }

    @Test
    void aThrowingInterceptorFailsOnlyItsOwnCall() throws Exception {
        AtomicInteger n = new AtomicInteger();
        IncomingInterceptor buggy = (call, next) -> {
            if (n.incrementAndGet() % 2 == 0) {
                throw new IllegalStateException("bug in interceptor");
            }
            return next.proceed(call);
        };
        OutgoingInterceptor buggyOut = (call, next) -> {
            if (call.command().equals("boom")) {
                throw new UnsupportedOperationException("outgoing bug");
            }
            return next.proceed(call);
        };
        try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(buggy).listen().register(new Service());
                Client c = Client.builder(s.address()).secret("s").interceptOutgoing(buggyOut).connect()) {
            assertThat(await(c.rpc("echo", 1))).isEqualTo(1);
            RemoteException e = (RemoteException) failure(c.rpc("echo", 2));
            assertThat(e.remoteType()).isEqualTo("java.lang.IllegalStateException"); // as an exposed method's
            assertThat(e.remoteMessage()).contains("bug in interceptor");
            assertThat(await(c.rpc("echo", 3))).isEqualTo(3);
            assertThat(failure(c.rpc("boom"))).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("outgoing bug");
            assertThat(c.isConnected()).isTrue();
            // many concurrent calls, half failed by the interceptor: the others are all answered
            List<CompletableFuture<Object>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                calls.add(c.rpc("echo", i));
            }
            int answered = 0;
            for (CompletableFuture<Object> f : calls) {
                try {
                    f.get(10, TimeUnit.SECONDS);
                    answered++;
                } catch (java.util.concurrent.ExecutionException expected) {
                    assertThat(expected.getCause()).isInstanceOf(RemoteException.class);
                }
            }
            assertThat(answered).isEqualTo(100);
        }
    }

    @Test
    void anInterceptorMayAnswerChangeOrGoOnOnlyOnce() throws Exception {
        Service service = new Service();
        OutgoingInterceptor cache = (call, next) -> call.command().equals("cached")
                ? CompletableFuture.completedFuture("from cache") : next.proceed(call);
        OutgoingInterceptor doubled = (call, next) -> call.command().equals("add")
                ? next.proceed(call.withArgs(call.args().get(0), 100)) : next.proceed(call);
        AtomicReference<Throwable> second = new AtomicReference<>();
        OutgoingInterceptor twice = (call, next) -> {
            CompletableFuture<Object> f = next.proceed(call);
            try {
                next.proceed(call);
            } catch (IllegalStateException e) {
                second.set(e);
            }
            return f;
        };
        IncomingInterceptor rename = (call, next) -> call.command().equals("old")
                ? next.proceed(call.withCommand("echo").withKwargs(Map.of())) : next.proceed(call);
        try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(rename).listen().register(service);
                Client c = Client.builder(s.address()).secret("s").interceptOutgoing(cache).interceptOutgoing(doubled)
                        .interceptOutgoing(twice).connect()) {
            assertThat(await(c.rpc("cached"))).isEqualTo("from cache");
            assertThat(await(c.rpc("add", 1, 2))).isEqualTo(101);
            assertThat(second.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("at most once");
            assertThat(await(c.rpc("old", "renamed"))).isEqualTo("renamed");
            // an answer of the wrong type fails the call, not the caller's code later
            assertThat(failure(c.rpc(Integer.class, "cached"))).isInstanceOf(ClassCastException.class)
                    .hasMessageContaining("java.lang.Integer");
        }
    }

    @Test
    void headersTravelBetweenJavaPeersAndTheCalleeSeesItsCallAndConnection() throws Exception {
        AtomicReference<IncomingCall> seen = new AtomicReference<>();
        AtomicReference<String> interceptorThread = new AtomicReference<>();
        IncomingInterceptor record = (call, next) -> {
            seen.set(call);
            interceptorThread.set(Thread.currentThread().getName() + (IoThreads.isIoThread() ? " (io)" : ""));
            return next.proceed(call);
        };
        AtomicReference<String> callerThread = new AtomicReference<>();
        OutgoingInterceptor tag = (call, next) -> {
            callerThread.set(Thread.currentThread().getName());
            return next.proceed(call.withHeader("traceparent", "00-abc-def-01"));
        };
        try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(record).listen().register(new Service());
                Client c = Client.builder(s.address()).secret("s").interceptOutgoing(tag).connect()) {
            await(c.whenOpen());
            assertThat(await(c.rpc("echo", "v"))).isEqualTo("v");
            assertThat(callerThread.get()).isEqualTo(Thread.currentThread().getName());
            IncomingCall call = seen.get();
            assertThat(call.headers()).containsExactly(Map.entry("traceparent", "00-abc-def-01"));
            assertThat(call.command()).isEqualTo("echo");
            assertThat(call.args()).containsExactly("v");
            assertThat(call.isKnownCommand()).isTrue();
            assertThat(call.connection().peerIsJava()).isTrue();
            assertThat(call.connection().transport()).isEqualTo(ConnectionInfo.Transport.TCP);
            assertThat(call.connection().remoteAddress()).isInstanceOf(java.net.InetSocketAddress.class);
            assertThat(call.channel()).isNotNull();
            assertThat(call.startTime()).isBeforeOrEqualTo(java.time.Instant.now());
            assertThat(interceptorThread.get()).doesNotContain("(io)");
            assertThatThrownBy(() -> call.args().add("x")).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void callbacksOfTheCallersFutureRunInWhatTheInterceptorsWrappedThemIn() throws Exception {
        ThreadLocal<String> context = new ThreadLocal<>();
        java.util.concurrent.atomic.AtomicBoolean wrappedOnIo = new java.util.concurrent.atomic.AtomicBoolean();
        OutgoingInterceptor capture = (call, next) -> {
            String captured = context.get(); // on the caller's thread
            call.wrapCallbacks(task -> {
                if (IoThreads.isIoThread()) {
                    wrappedOnIo.set(true);
                }
                return wrapped(context, captured, task);
            });
            return next.proceed(call);
        };
        OutgoingInterceptor inner = (call, next) -> {
            call.wrapCallbacks(task -> () -> {
                context.set(context.get() + "+inner"); // runs inside the outer wrapper
                task.run();
            });
            return next.proceed(call);
        };
        try (Server s = Server.builder("127.0.0.1:0").secret("s").listen().register(new Service());
                Client c = Client.builder(s.address()).secret("s").interceptOutgoing(capture).interceptOutgoing(inner)
                        .connect()) {
            context.set("caller's");
            CompletableFuture<Object> f = c.rpc("echo", 1);
            context.remove();
            AtomicReference<String> seen = new AtomicReference<>();
            AtomicReference<String> seenChained = new AtomicReference<>();
            CompletableFuture<Object> watched = f.whenComplete((v, e) -> seen.set(context.get()));
            assertThat(f.thenApply(v -> v).thenApply(v -> {
                seenChained.set(context.get());
                return v;
            }).get(10, TimeUnit.SECONDS)).isEqualTo(1);
            await(watched);
            assertThat(seenChained.get()).startsWith("caller's+inner");
            assertThat(f.handle((v, e) -> context.get()).get(10, TimeUnit.SECONDS)).startsWith("caller's+inner");
            assertThat(seen.get()).startsWith("caller's+inner");
            assertThat(wrappedOnIo).as("a wrapper is user code: never applied on an I/O thread").isFalse();
            // a pass-through interceptor's caller: its callbacks never run on an I/O thread either
            assertThat(c.rpc("echo", 2).thenApply(v -> IoThreads.isIoThread()).get(10, TimeUnit.SECONDS)).isFalse();
        }
    }

    private static Runnable wrapped(ThreadLocal<String> context, String captured, Runnable task) {
        return () -> {
            String before = context.get();
            context.set(captured);
            try {
                task.run();
            } finally {
                context.set(before);
            }
        };
    }

    @Test
    void anIncomingInterceptorSeesACancelledCallCancelled() throws Exception {
        Service service = new Service();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        IncomingInterceptor watch = (call, next) -> next.proceed(call).whenComplete((v, e) -> outcome.complete(e));
        try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(watch).listen().register(service);
                Client c = Client.connect(s.address(), "s")) {
            CompletableFuture<Object> call = c.rpc("block");
            assertThat(service.blockStarted.await(10, TimeUnit.SECONDS)).isTrue();
            call.cancel(true);
            assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
            assertThat(await(c.rpc("add", 1, 1))).isEqualTo(2);
        }
    }

    @Test
    void anUnknownCommandPassesTheInterceptorsAndFailsAsAKeyError() throws Exception {
        AtomicReference<Boolean> known = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        IncomingInterceptor watch = (call, next) -> {
            known.set(call.isKnownCommand());
            return next.proceed(call).whenComplete((v, e) -> failed.set(e));
        };
        try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(watch).listen().register(new Service());
                Client c = Client.connect(s.address(), "s")) {
            RemoteException e = (RemoteException) failure(c.rpc("nosuch"));
            assertThat(e.remoteType()).isEqualTo("KeyError");
            assertThat(known.get()).isFalse();
            assertThat(failed.get()).isInstanceOf(CallRefusedException.class);
            RemoteException bad = (RemoteException) failure(c.rpc("add", 1));
            assertThat(bad.remoteType()).isEqualTo("TypeError");
        }
    }

    @Test
    void aMethodThatAnInterceptorLetsGoOnFromAnotherThreadKnowsItsCaller() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            IncomingInterceptor later = (call, next) -> CompletableFuture.supplyAsync(() -> call, pool)
                    .thenCompose(next::proceed);
            try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(later).listen()
                    .register(new Service());
                    Client c = Client.connect(s.address(), "s")) {
                assertThat(await(c.rpc("callerKnown"))).isEqualTo(true);
                // and the pool's thread is left as it was: no caller once the method returned
                CompletableFuture<Boolean> after = CompletableFuture.supplyAsync(() -> {
                    try {
                        Channel.current();
                        return true;
                    } catch (IllegalStateException outside) {
                        return false;
                    }
                }, pool);
                assertThat(after.get(10, TimeUnit.SECONDS)).isFalse();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
