package kaa.rpc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import kaa.rpc.internal.Endpoints;
import kaa.rpc.internal.Options;
import kaa.rpc.internal.dispatch.CommandTable;
import kaa.rpc.internal.dispatch.ExposedMethod;
import kaa.rpc.internal.exec.CallbackExecutors;
import kaa.rpc.internal.exec.IoSafeFuture;
import kaa.rpc.internal.exec.IoThreads;
import kaa.rpc.internal.frame.ReceiveBudget;
import kaa.rpc.internal.net.Address;
import kaa.rpc.internal.net.SendBudget;
import org.slf4j.LoggerFactory;

/**
 * Listens for kaa.rpc clients, Java or Python.
 *
 * <pre>{@code
 * class Media {
 *     @Expose("do_something") int myFunction(int foo) { return foo * 2; }
 *     @Expose(addClient = true) void hello(Channel peer, String s) { peer.rpc("welcome", s); }
 * }
 *
 * try (Server server = Server.builder("127.0.0.1:0").secret("secret")   // port 0: any free port
 *         .register(new Media()).listen()) {          // exposed before the first client can call
 *     server.clientConnected().connect(ch -> ch.rpc("hello", "from server"));
 *     System.out.println("listening on " + server.address());
 *     server.awaitClose();                             // until something closes it
 * }
 * }</pre>
 *
 * <p>Addresses are kaa's: a port number (all interfaces), {@code "host:port"},
 * {@code "[v6addr]:port"}, or a Unix socket path; a bare name such as
 * {@code "media.sock"} is placed in kaa's per-user temp directory. A stale
 * socket file is replaced, a live one refused; the socket file is created
 * owner-only (0600) unless {@link Builder#socketPermissions} says otherwise,
 * and removed on {@link #close()}.
 *
 * <p>Each client that connects and passes the handshake gets a
 * {@link Channel}, emitted by {@link #clientConnected()}, through which the
 * server can call the client. A client with the wrong secret is logged with
 * its address and disconnected.
 */
public final class Server implements AutoCloseable {

    private final CommandTable commands = new CommandTable(null);
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final Signal<Channel> clientConnected;
    private final Endpoints.Listening listener;
    private final String address;
    private final Address bindAddress;
    private volatile boolean closed;
    /** What this server's connections hold unsent (for tests of the send budget). */
    private final SendBudget sendBudget;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Server> whenClosed =
            new IoSafeFuture<>("the server's close");

    private Server(Address bindAddress, Options options, List<Object> services,
            List<Consumer<Channel>> connectedHandlers) throws IOException {
        this.bindAddress = bindAddress;
        this.sendBudget = options.sendBudget;
        services.forEach(commands::register); // before the first client can call
        this.clientConnected = new Signal<>("client-connected", CallbackExecutors.serial(options.executor));
        connectedHandlers.forEach(clientConnected::connect); // before the first client can connect
        this.listener = Endpoints.listen(bindAddress, options, ch -> {
            Channel channel = new Channel(commands, options, false, opened -> {
                // the channel's own signals (its open, which follows, and its closed) wait until client-connected
                // has told of it: a callback connected there never misses its closed
                Signal.Gate announced = new Signal.Gate();
                opened.open().holdUntil(announced);
                opened.closed().holdUntil(announced);
                // and the client's calls wait too: what client-connected registers is there for its first call
                Runnable dispatch = opened.session.holdIncoming();
                channels.add(opened);
                if (closed) {
                    announced.release();
                    dispatch.run();
                    opened.close();
                } else {
                    clientConnected.emit(opened, () -> {
                        announced.release();
                        dispatch.run();
                    });
                }
            }, channels::remove);
            return channel.session;
        });
        this.address = Address.format(listener.localAddress());
        if (isOpenToTheNetwork(options)) {
            LoggerFactory.getLogger(Server.class).warn("server on {} has an empty secret and listens beyond this "
                    + "host: anyone who can reach it may call what it exposes; set a secret, or listen on "
                    + "127.0.0.1 or a Unix socket", address);
        }
    }

    /** Whether a peer without a secret could connect from another host. */
    boolean isOpenToTheNetwork(Options options) {
        SocketAddress a = listener.localAddress();
        return options.secret.length == 0 && a instanceof InetSocketAddress
                && !((InetSocketAddress) a).getAddress().isLoopbackAddress();
    }

    /**
     * Listens on a kaa address with a shared secret.
     *
     * @param address a kaa address: {@code "host:port"}, {@code "[v6addr]:port"},
     *     a Unix socket path, a bare name for a socket in kaa's temp directory, or
     *     a port number alone (every interface)
     * @param secret the shared secret
     * @return the listening server
     * @throws IOException if the server cannot listen there: a
     *     {@link java.net.BindException} when the address is in use, or its
     *     socket path is held by a live server or by a file that is not a socket
     * @throws IllegalArgumentException if the address cannot be parsed, or its host resolved
     */
    public static Server listen(String address, String secret) throws IOException {
        return builder(address).secret(secret).listen();
    }

    /**
     * Listens on a TCP port of every interface with a shared secret; 0 picks a free port.
     *
     * @param port the port, from 0 to 65535
     * @param secret the shared secret
     * @return the listening server
     * @throws IOException if the server cannot listen there (a
     *     {@link java.net.BindException} when the port is in use)
     * @throws IllegalArgumentException if {@code port} is out of range
     */
    public static Server listen(int port, String secret) throws IOException {
        return builder(port).secret(secret).listen();
    }

    /**
     * Starts a server with options; see {@link Builder}.
     *
     * @param address a kaa address: {@code "host:port"}, {@code "[v6addr]:port"},
     *     a Unix socket path, a bare name for a socket in kaa's temp directory, or
     *     a port number alone (every interface)
     * @return a builder of a server for that address
     * @throws IllegalArgumentException if the address cannot be parsed, or its host resolved
     */
    public static Builder builder(String address) {
        return new Builder(Address.parse(address, true));
    }

    /**
     * Starts a server for a TCP port of every interface; 0 picks a free port.
     *
     * @param port the port, from 0 to 65535
     * @return a builder of a server for that port
     * @throws IllegalArgumentException if {@code port} is out of range
     */
    public static Builder builder(int port) {
        return new Builder(Address.port(port, true));
    }

    /**
     * {@return the bound address in kaa syntax} It has the real port when 0 was
     * asked for: {@code "127.0.0.1:40123"}, {@code "0.0.0.0:4000"}, or the socket path.
     */
    public String address() {
        return address;
    }

    /**
     * Makes the exposed methods of {@code obj} callable by every client, those
     * connected already included: the {@link Expose} methods of an object, or
     * the static ones of a {@code Class} (the Java form of registering a module).
     *
     * @param obj an object with {@code @Expose} methods, or a {@code Class}
     *     with static ones
     * @return this server
     * @throws IllegalArgumentException if {@code obj} exposes nothing, or two
     *     of its methods expose the same name with the same number of arguments
     */
    public Server register(Object obj) {
        commands.register(Objects.requireNonNull(obj, "obj"));
        return this;
    }

    /**
     * Withdraws what {@link #register} made callable.
     *
     * @param obj the object (or class) that was registered
     * @return whether {@code obj} was registered
     */
    public boolean disconnect(Object obj) {
        return commands.unregister(obj);
    }

    /**
     * {@return the signal emitted with the new {@link Channel} when a client has
     * connected and passed the handshake}
     */
    public Signal<Channel> clientConnected() {
        return clientConnected;
    }

    /** {@return the channels of the clients connected (and authenticated) now, a copy} */
    public Set<Channel> channels() {
        return Set.copyOf(channels);
    }

    /**
     * Stops listening (removing a Unix socket file), closes every connection
     * still in its handshake, and closes every client's channel, failing their
     * pending calls. Idempotent. It returns once the socket is closed, except
     * on a kaa-rpc I/O thread (an {@link Expose#direct() direct} method, say),
     * where it must not wait: there the socket closes just after, and
     * {@link #whenClosed()} says when.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        // the socket first, then the connections: a retrying client whose connection closes finds nothing to
        // reconnect to, rather than a dying server that lets it open and closes it again
        if (IoThreads.isIoThread()) {
            listener.close(this::closedListening); // waiting here could wait for this very thread
        } else {
            listener.close();
            closedListening();
        }
    }

    /** The socket is closed: the socket file goes, and the close is told. */
    private void closedListening() {
        if (bindAddress.isUnix()) {
            try {
                Files.deleteIfExists(bindAddress.path());
            } catch (IOException ignored) {
                // someone else's now, or already gone
            }
        }
        for (Channel ch : channels) {
            ch.close(); // every client's, those that opened while the socket was closing too
        }
        whenClosed.complete(this);
    }

    /**
     * Completes with this server once {@link #close()} has run (from any
     * thread: a shutdown hook, an exposed {@code stop} method, ...).
     *
     * @return a future of the close, which never fails; completing or
     *     cancelling it does not touch the server
     */
    public CompletableFuture<Server> whenClosed() {
        return whenClosed.copy(); // a caller completing its copy cannot fake a close
    }

    /**
     * Blocks until the server is closed: the end of a {@code main} that
     * serves until something calls {@link #close()}. (The library's threads
     * are daemons: a {@code main} that returns ends the process.)
     *
     * @throws InterruptedException if the waiting thread is interrupted
     * @throws IllegalStateException on a kaa-rpc I/O thread, while the server
     *     is open
     */
    public void awaitClose() throws InterruptedException {
        if (!whenClosed.isDone()) {
            IoThreads.refuseBlocking("Server.awaitClose()");
        }
        try {
            whenClosed.get();
        } catch (ExecutionException impossible) {
            throw new IllegalStateException(impossible); // whenClosed is only ever completed normally
        }
    }

    /**
     * Waits at most {@code timeout} for the server to be closed.
     *
     * @param timeout the longest wait
     * @return whether the server is closed
     * @throws InterruptedException if the waiting thread is interrupted
     * @throws IllegalStateException on a kaa-rpc I/O thread, while the server
     *     is open
     */
    public boolean awaitClose(Duration timeout) throws InterruptedException {
        if (!whenClosed.isDone()) {
            IoThreads.refuseBlocking("Server.awaitClose(timeout)");
        }
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException longerThanNanosHold) {
            nanos = Long.MAX_VALUE; // 292 years: as good as for ever
        }
        try {
            whenClosed.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    @Override
    public String toString() {
        return "Server[" + address + (closed ? ", closed" : "") + "]";
    }

    /**
     * Options of a {@link Server}: those of {@link PeerBuilder}, and the
     * server's own limits and socket permissions.
     */
    public static final class Builder extends PeerBuilder<Builder> {
        private final Address address;

        private final List<Object> services = new ArrayList<>();
        private final List<Consumer<Channel>> connectedHandlers = new ArrayList<>();

        private Builder(Address address) {
            this.address = address;
        }

        /**
         * Registers {@code obj} before the server starts listening, so that no
         * client can call before it is there (see {@link Server#register}).
         *
         * @param obj an object with {@code @Expose} methods, or a {@code Class}
         *     with static ones
         * @return this builder
         * @throws IllegalArgumentException as {@link Server#register} does, here rather than at listen
         */
        public Builder register(Object obj) {
            ExposedMethod.scan(Objects.requireNonNull(obj, "obj")); // fail here, not at listen
            services.add(obj);
            return this;
        }

        /**
         * Connects {@code handler} to {@link Server#clientConnected()} before
         * the server listens, so that it hears of every client. Like every
         * client-connected handler, it runs on the executor for each client
         * once it has passed the handshake, before any call that client made
         * is dispatched (its answers are not held: a handler may call it and
         * wait): what it registers on the channel serves the client's
         * first call. Handlers run one at a time, in the order connected.
         *
         * @param handler given each client's channel
         * @return this builder
         */
        public Builder clientConnected(Consumer<Channel> handler) {
            connectedHandlers.add(Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /**
         * Registers, on each client's channel, the service {@code factory}
         * makes for it: an object of its own per connection, which may keep the
         * channel to call its client back ({@code new Jobs(channel)}). Made as
         * a {@link #clientConnected} handler is run, so it is there for the
         * client's first call. A factory that throws or returns null closes
         * that client's connection, and says why in the log.
         *
         * @param factory makes the service of a client, given its channel
         * @return this builder
         */
        public Builder registerPerClient(Function<Channel, ?> factory) {
            Objects.requireNonNull(factory, "factory");
            connectedHandlers.add(channel -> {
                if (!channel.isConnected()) {
                    return; // gone before its turn came: nothing to serve
                }
                channel.registerMade(() -> factory.apply(channel));
            });
            return this;
        }

        /**
         * As {@link #tls(SSLContext)}, and also require a client certificate the context trusts (mutual TLS).
         *
         * @param context the key and trust material
         * @return this builder
         */
        public Builder tlsWithClientCertificates(SSLContext context) {
            tls(context);
            options.tlsClientAuth = true;
            return this;
        }

        /**
         * How many connections may be open at once (default 10,000); more are closed at once and logged.
         *
         * @param connections at least 1
         * @return this builder
         */
        public Builder maxConnections(int connections) {
            options.maxConnections = Options.atLeastOne(connections, "maxConnections");
            return this;
        }

        /**
         * How many connections may be in their handshake at once (default 1024).
         * Beyond that, a newcomer takes the slot of the oldest silent connection
         * of a source (IP address) holding clearly more slots than its own, so
         * that one source's flood only ever evicts itself; otherwise it takes the
         * slot of one that has had half a second for its handshake (1.5 s with
         * TLS, whose own handshake comes first), or is refused: whoever is
         * admitted has the time for a long round trip. A flood then turns over
         * at most {@code connections} slots per half second: raise it for a
         * server that must ride out more.
         *
         * @param connections at least 1
         * @return this builder
         */
        public Builder maxHandshaking(int connections) {
            options.maxHandshaking = Options.atLeastOne(connections, "maxHandshaking");
            return this;
        }

        /**
         * Permissions of a Unix socket file, as {@code "rw-rw----"} (default {@code "rw-------"}).
         *
         * @param permissions nine characters, as
         *     {@link java.nio.file.attribute.PosixFilePermissions#fromString} reads them
         * @return this builder
         * @throws IllegalArgumentException if {@code permissions} is not of that form
         */
        public Builder socketPermissions(String permissions) {
            Set<PosixFilePermission> perms = PosixFilePermissions.fromString(permissions);
            options.socketPermissions = perms;
            return this;
        }

        /**
         * Binds and returns the listening server. It waits for the bind, so it
         * is refused on a kaa-rpc I/O thread (an {@link Expose#direct() direct}
         * method, a future's callback there) with an {@link IllegalStateException},
         * before anything is bound.
         *
         * @return the listening server
         * @throws IOException if the server cannot listen there: a
         *     {@link java.net.BindException} when the address is in use, or its
         *     socket path is held by a live server or by a file that is not a socket
         */
        public Server listen() throws IOException {
            IoThreads.refuseBlocking("Server.listen()");
            Options o = options.copy();
            o.receiveBudget = new ReceiveBudget(o.receiveBudgetBytes > 0 ? o.receiveBudgetBytes
                    : ReceiveBudget.DEFAULT_BYTES);
            o.sendBudget = new SendBudget(o.sendBudgetBytes > 0 ? o.sendBudgetBytes
                    : SendBudget.DEFAULT_BYTES);
            return new Server(address, o, List.copyOf(services), List.copyOf(connectedHandlers));
        }
    }

    /** What all connections of this server hold unsent now, by the send budget's count. */
    long unsentBytes() {
        return sendBudget.held();
    }
}
