package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Typed service interfaces: one interface, implemented by a server and called through a proxy. */
class ProxyTest {

    @TempDir
    Path dir;

    public record Track(String title, int seconds) {
    }

    public enum Mood { CALM, LOUD }

    public interface Media {
        @Expose("do_something")
        int doSomething(int foo);

        @Expose
        CompletableFuture<List<Track>> tracks(String album);

        @Expose
        CompletionStage<Map<String, List<Integer>>> index();

        @Expose
        String greet(String name, @Kw("greeting") String greeting);

        @Expose
        void stop();

        @Expose
        Optional<Track> find(String title);

        @Expose
        Mood mood(Mood m);

        @Expose
        long[] squares(int n);

        @Expose
        String fail(String why);

        @Expose
        String sleep(long millis) throws TimeoutException, IOException;

        @Expose
        String sleepUndeclared(long millis);

        default String shout(String name) {
            return greet(name, "HEY").toUpperCase();
        }
    }

    /** The implementation: its @Expose and @Kw come from the interface. */
    public static class MediaImpl implements Media {
        final CountDownLatch stopped = new CountDownLatch(1);
        final CountDownLatch sleeping = new CountDownLatch(1);

        @Override
        public int doSomething(int foo) {
            return foo * 7;
        }

        @Override
        public CompletableFuture<List<Track>> tracks(String album) {
            return CompletableFuture.completedFuture(List.of(new Track(album + " 1", 61), new Track(album + " 2", 62)));
        }

        @Override
        public CompletionStage<Map<String, List<Integer>>> index() {
            return CompletableFuture.completedFuture(Map.of("a", List.of(1, 2), "b", List.of()));
        }

        @Override
        public String greet(String name, String g) {
            return (g == null ? "hello" : g) + " " + name;
        }

        @Override
        public void stop() {
            stopped.countDown();
        }

        @Override
        public Optional<Track> find(String title) {
            return title.equals("none") ? Optional.empty() : Optional.of(new Track(title, 1));
        }

        @Override
        public Mood mood(Mood m) {
            return m == Mood.CALM ? Mood.LOUD : Mood.CALM;
        }

        @Override
        public long[] squares(int n) {
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                out[i] = (long) i * i;
            }
            return out;
        }

        @Override
        public String fail(String why) {
            throw new IllegalStateException(why);
        }

        @Override
        public String sleep(long millis) {
            sleeping.countDown();
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "slept";
        }

        @Override
        public String sleepUndeclared(long millis) {
            return sleep(millis);
        }

        /** The class's own @Expose methods count too. */
        @Expose(addClient = true)
        public String whoami(Channel peer) {
            return "impl";
        }
    }

    public interface Extra {
        @Expose
        String whoami();

        @Expose("echo")
        List<Track> echoTracks(List<Track> tracks);

        @Expose("echo")
        String echoText(String text);
    }

    @Test
    void everyReturnFormAgainstAServerThatImplementsTheInterface() throws Exception {
        MediaImpl impl = new MediaImpl();
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "s").register(impl);
                Client client = Peers.client(server, "s")) {
            Media media = client.proxy(Media.class);
            assertThat(media.doSomething(6)).isEqualTo(42);
            assertThat(media.tracks("x").get(10, TimeUnit.SECONDS))
                    .containsExactly(new Track("x 1", 61), new Track("x 2", 62));
            assertThat(media.index().toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isEqualTo(Map.of("a", List.of(1, 2), "b", List.of()));
            assertThat(media.greet("bob", "hi")).isEqualTo("hi bob");
            assertThat(media.greet("bob", null)).isEqualTo("hello bob"); // left out: the callee's default
            assertThat(media.shout("bob")).isEqualTo("HEY BOB");        // a default method, run locally
            media.stop();
            assertThat(impl.stopped.getCount()).isZero();                // void waited for the call to run
            assertThat(media.find("t")).contains(new Track("t", 1));
            assertThat(media.find("none")).isEmpty();
            assertThat(media.mood(Mood.CALM)).isEqualTo(Mood.LOUD);
            assertThat(media.squares(4)).containsExactly(0, 1, 4, 9);
            assertThat(client.proxy(Extra.class).whoami()).isEqualTo("impl");
        }
    }

    @Test
    void severalMethodsMayCallOneCommandWithDifferentTypes() throws Exception {
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "s").register(new DemoService());
                Client client = Peers.client(server, "s")) {
            Extra extra = client.proxy(Extra.class);
            List<Track> tracks = List.of(new Track("a", 1), new Track("b", 2));
            assertThat(extra.echoTracks(tracks)).isEqualTo(tracks);
            assertThat(extra.echoText("hi")).isEqualTo("hi");
        }
    }

    @Test
    void typeRefConvertsNestedGenerics() throws Exception {
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "s").register(new MediaImpl());
                Client client = Peers.client(server, "s")) {
            List<Track> tracks = await(client.rpc(new TypeRef<List<Track>>() {}, "tracks", "y"));
            assertThat(tracks).containsExactly(new Track("y 1", 61), new Track("y 2", 62));
            Map<String, List<Integer>> index = await(client.withTimeout(Duration.ofSeconds(5))
                    .rpc(new TypeRef<Map<String, List<Integer>>>() {}, "index"));
            assertThat(index.get("a")).containsExactly(1, 2);
        }
        assertThatThrownBy(() -> new TypeRef() {}).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a type argument");
    }

    @Test
    void failuresArriveAsDocumentedTypes() throws Exception {
        MediaImpl impl = new MediaImpl();
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "s").register(impl);
                Client client = Peers.client(server, "s")) {
            Media media = client.proxy(Media.class);
            assertThatThrownBy(() -> media.fail("boom")).isInstanceOf(RemoteException.class)
                    .hasMessageContaining("boom");
            Media quick = client.withTimeout(Duration.ofMillis(200)).proxy(Media.class);
            assertThatThrownBy(() -> quick.sleep(5_000)).isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("'sleep'");
            assertThatThrownBy(() -> quick.sleepUndeclared(5_000)).isInstanceOf(CallFailedException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
            assertThat(quick.toString()).startsWith("Media proxy on Client[");
            assertThat(quick).isEqualTo(quick).isNotEqualTo(media);
        }
    }

    @Test
    void closingWhileACallerIsBlockedFailsTheCallerAtOnce() throws Exception {
        MediaImpl impl = new MediaImpl();
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "s").register(impl)) {
            Client client = Peers.client(server, "s");
            Media media = client.proxy(Media.class);
            AtomicReference<Throwable> declared = new AtomicReference<>();
            AtomicReference<Throwable> undeclared = new AtomicReference<>();
            Thread a = new Thread(() -> {
                try {
                    media.sleep(30_000);
                } catch (Throwable t) {
                    declared.set(t);
                }
            });
            Thread b = new Thread(() -> {
                try {
                    media.sleepUndeclared(30_000);
                } catch (Throwable t) {
                    undeclared.set(t);
                }
            });
            a.start();
            b.start();
            assertThat(impl.sleeping.await(10, TimeUnit.SECONDS)).isTrue();
            await(client.whenOpen());
            client.close();
            a.join(10_000);
            b.join(10_000);
            assertThat(declared.get()).isInstanceOf(NotConnectedException.class); // sleep() declares IOException
            assertThat(undeclared.get()).isInstanceOf(CallFailedException.class)
                    .hasCauseInstanceOf(NotConnectedException.class);
        }
    }

    @Test
    void anInterruptedCallerGetsItsInterruptBack() throws Exception {
        MediaImpl impl = new MediaImpl();
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "s").register(impl);
                Client client = Peers.client(server, "s")) {
            Media media = client.proxy(Media.class);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> flag = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    media.sleepUndeclared(30_000);
                } catch (Throwable e) {
                    thrown.set(e);
                    flag.set(Thread.currentThread().isInterrupted());
                }
            });
            t.start();
            assertThat(impl.sleeping.await(10, TimeUnit.SECONDS)).isTrue();
            t.interrupt();
            t.join(10_000);
            assertThat(thrown.get()).isInstanceOf(CallFailedException.class)
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(flag.get()).isTrue();
        }
    }

    interface NoExpose {
        @Expose
        int fine();

        int forgotten();
    }

    interface Repo<T> {
        @Expose
        T get(String id);
    }

    interface TrackRepo extends Repo<Track> {
    }

    interface BadTypes {
        @Expose
        Runnable task();

        @Expose
        Queue<String> queue();

        @Expose
        void call(Channel ch);
    }

    @Test
    void aWrongInterfaceIsRefusedAtProxyNamingEveryMethod() throws Exception {
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "s");
                Client client = Peers.client(server, "s")) {
            assertThatThrownBy(() -> client.proxy(NoExpose.class)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("NoExpose.forgotten() has no @Expose")
                    .hasMessageNotContaining("fine");
            assertThatThrownBy(() -> client.proxy(BadTypes.class)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("BadTypes.task(): its result type java.lang.Runnable is abstract")
                    .hasMessageContaining("BadTypes.queue()")
                    .hasMessageContaining("BadTypes.call(): parameter 1 is a Channel");
            assertThatThrownBy(() -> client.proxy(TrackRepo.class)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("TrackRepo.get(): its result type T uses a type variable");
            assertThatThrownBy(() -> client.proxy(MediaImpl.class)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs an interface");
        }
    }

    @Test
    void aKeywordParameterMayBeLeftOutByAJavaCaller() throws Exception {
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "s").register(new MediaImpl());
                Client client = Peers.client(server, "s")) {
            assertThat(await(client.rpc("greet", "ann"))).isEqualTo("hello ann");
            assertThat(await(client.rpc("greet", "ann", Kwargs.of("greeting", "yo")))).isEqualTo("yo ann");
            assertThat(await(client.rpc("greet", "ann", "hey"))).isEqualTo("hey ann");
            assertThat(Peers.failure(client.rpc("greet"))).isInstanceOf(RemoteException.class)
                    .hasMessageContaining("TypeError: greet() takes 2 arguments (0 given)");
        }
    }

    /** kaa_peer.py's demo functions, described as Java. */
    public interface PythonDemo {
        @Expose
        long add(long a, long b);

        @Expose
        String greet(String name, @Kw("greeting") String greeting);

        @Expose("echo")
        CompletableFuture<List<Track>> echoTracks(List<Track> tracks);

        @Expose("echo")
        Map<String, List<Integer>> echoIndex(Map<String, List<Integer>> index);

        @Expose("echo")
        Mood[] echoMoods(Mood... moods);

        @Expose
        void fail(String message);

        @Expose
        String slow(double seconds, String value) throws TimeoutException;

        @Expose
        String whoami();
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void aProxyCallsAPythonServer(Peers.Transport transport) throws Exception {
        String address = transport == Peers.Transport.TCP ? "127.0.0.1:0" : dir.resolve("py.sock").toString();
        try (PythonPeer python = PythonPeer.start(dir, "serve", address, "sekrit")) {
            String ready = python.readLine();
            assertThat(ready).startsWith("READY ");
            try (Client client = Client.connect(ready.substring(6), "sekrit")) {
                PythonDemo demo = client.proxy(PythonDemo.class);
                assertThat(demo.add(2, 3)).isEqualTo(5);
                assertThat(demo.greet("bob", "hi")).isEqualTo("hi bob");
                assertThat(demo.greet("bob", null)).isEqualTo("hello bob"); // Python's default applies
                List<Track> tracks = List.of(new Track("a", 1), new Track("b", 2));
                assertThat(demo.echoTracks(tracks).get(10, TimeUnit.SECONDS)).isEqualTo(tracks);
                assertThat(demo.echoIndex(Map.of("k", List.of(1, 2)))).isEqualTo(Map.of("k", List.of(1, 2)));
                assertThat(demo.echoMoods(Mood.LOUD, Mood.CALM)).containsExactly(Mood.LOUD, Mood.CALM);
                assertThatThrownBy(() -> demo.fail("boom")).isInstanceOf(RemoteException.class)
                        .satisfies(e -> assertThat(((RemoteException) e).remoteType()).isEqualTo("ValueError"))
                        .hasMessageContaining("boom");
                assertThat(demo.whoami()).isEqualTo("server");
                // the time-out leaves a loaded machine room for a quick answer, and none for a five-second one
                PythonDemo quick = client.withTimeout(Duration.ofSeconds(2)).proxy(PythonDemo.class);
                assertThatThrownBy(() -> quick.slow(5, "late")).isInstanceOf(TimeoutException.class);
                assertThat(quick.slow(0.01, "soon")).isEqualTo("soon");
            }
        }
    }
}
