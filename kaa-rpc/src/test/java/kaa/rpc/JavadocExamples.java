package kaa.rpc;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The examples of the public javadoc, as code that compiles: every
 * {@code <pre>{@code ...}</pre>} block of package {@code kaa.rpc}, copied
 * verbatim into a method of its own, with the declarations it assumes
 * (variables as parameters, the types it names as nested classes, imports)
 * around it. {@link JavadocExamplesTest} checks that every block is here, so
 * an example that changes must change here too, and must still compile.
 * Nothing here runs: it only has to compile.
 */
final class JavadocExamples {

    private JavadocExamples() {
    }

    /** A value the examples receive. */
    record Track(String title, int seconds) {
    }

    /** A checked exception a proxy method may declare. */
    static final class JobFailedException extends Exception {
        JobFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A service a client exposes to its server. */
    static final class Callbacks {
        @Expose
        void progress(int percent) {
        }
    }

    /** {@link Channel}'s class documentation. */
    static void channel(Channel channel) throws Exception {
        CompletableFuture<Object> x = channel.rpc("do_something", 6);            // do_something(6)
        channel.rpc("greet", "bob", Kwargs.of("greeting", "hi"));                // greet('bob', greeting='hi')
        int sum = channel.rpc(Integer.class, "add", 1, 2).get(5, TimeUnit.SECONDS);
    }

    /** {@link Channel#proxy}. */
    static void proxy(Client client) {
        interface Media {
            @Expose("do_something") int doSomething(int foo);             // blocks for the answer
            @Expose CompletableFuture<List<Track>> tracks(String album);   // returns at once
            @Expose String greet(String name, @Kw("greeting") String g);   // greet(name, greeting=g)
            @Expose void stop();                                           // waits, ignores the value
        }
        Media media = client.proxy(Media.class);
    }

    /** {@link Client}'s class documentation. */
    static void client() throws Exception {
        try (Client client = Client.connect("127.0.0.1:4000", "secret")) {
            client.register(new Callbacks());                 // the server may call us too
            Object answer = client.rpc("do_something", 6).get(5, TimeUnit.SECONDS);
        }

        Client c = Client.builder("media.sock")               // a Unix socket in kaa's temp dir
                .secret("s")
                .retry(Duration.ofSeconds(2))                 // reconnect after refusal or loss
                .connect();
        c.whenOpen().get(10, TimeUnit.SECONDS);               // wait for the handshake, if you like
    }

    /** {@link Expose}'s documentation. */
    static void expose() {
        class Media {
            @Expose("do_something") int myFunction(int foo) { return foo * 2; }   // called as "do_something"
            @Expose String name(String foo) { return foo.toUpperCase(); }         // called as "name"
            @Expose(addClient = true) void hello(Channel peer, String s) { peer.rpc("welcome", s); }
            @Expose CompletableFuture<String> slow() {                            // answered when it completes
                return CompletableFuture.supplyAsync(() -> "done");
            }
        }
    }

    /** {@link Kw}'s documentation. */
    static void kw(Channel channel) {
        interface Greeter {
            @Expose String greet(String name, @Kw("greeting") String greeting);
        }
        Greeter greeter = channel.proxy(Greeter.class);
        greeter.greet("bob", "hi");   // greet('bob', greeting='hi')
        greeter.greet("bob", null);   // greet('bob'): Python's default applies
    }

    /** {@link Kwargs}' documentation. */
    static void kwargs(Client client) {
        client.rpc("greet", "bob", Kwargs.of("greeting", "hi"));   // greet('bob', greeting='hi')
        client.rpc("do_something", Kwargs.of("foo", 4));           // do_something(foo=4)
    }

    /** {@link PeerBuilder#remoteErrors}: the example is the builder call, shown here on a client's builder. */
    static Client remoteErrors() {
        return Client.builder("jobs.sock")
                .remoteErrors(e -> e.remoteType().equals("jobs.JobFailed")
                        ? new JobFailedException(e.remoteMessage(), e) : null)
                .connect();
    }

    /** {@link Server}'s class documentation. */
    static void server() throws Exception {
        class Media {
            @Expose("do_something") int myFunction(int foo) { return foo * 2; }
            @Expose(addClient = true) void hello(Channel peer, String s) { peer.rpc("welcome", s); }
        }

        try (Server server = Server.builder("127.0.0.1:0").secret("secret")   // port 0: any free port
                .register(new Media()).listen()) {          // exposed before the first client can call
            server.clientConnected().connect(ch -> ch.rpc("hello", "from server"));
            System.out.println("listening on " + server.address());
            server.awaitClose();                             // until something closes it
        }
    }

    /** {@link TypeRef}'s documentation. */
    static void typeRef(Channel channel) throws Exception {
        List<Track> tracks = channel.rpc(new TypeRef<List<Track>>() {}, "tracks", "x").get(5, SECONDS);
    }

    /**
     * The inline examples ({@code {@code ...}} in running text) that are whole
     * expressions; the test does not look for these, but they compile here.
     */
    static void inline(Channel channel, Duration d) {
        channel.withTimeout(Duration.ofSeconds(2)).rpc("add", 1, 2);
        channel.rpc(new TypeRef<List<Track>>() {}, "tracks", "x");
        channel.waitingForReady().withTimeout(d);
        Channel.current().rpc("progress", 50);
        Client.builder("media.sock")
                .sendPythonObjects((module, name) -> module.equals("myapp.model"));
    }

    /** {@link OutgoingInterceptor}'s class documentation. */
    static OutgoingInterceptor outgoingInterceptor(org.slf4j.Logger log) {
        OutgoingInterceptor timing = (call, next) -> {
            long start = System.nanoTime();
            return next.proceed(call).whenComplete((value, error) ->
                    log.info("{} took {} µs", call.command(), (System.nanoTime() - start) / 1000));
        };
        return timing;
    }

    /** {@link IncomingInterceptor}'s class documentation. */
    static IncomingInterceptor incomingInterceptor() {
        IncomingInterceptor onlyLocal = (call, next) -> {
            if (call.connection().transport() != ConnectionInfo.Transport.UNIX) {
                throw new CallRefusedException("only local callers may call " + call.command());
            }
            return next.proceed(call);
        };
        return onlyLocal;
    }
}
