package kaa.rpc;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import kaa.rpc.internal.Endpoints;
import kaa.rpc.internal.Options;
import kaa.rpc.internal.call.RpcFuture;
import kaa.rpc.internal.dispatch.ExposedMethod;
import kaa.rpc.internal.exec.CallbackExecutors;
import kaa.rpc.internal.frame.ReceiveBudget;
import kaa.rpc.internal.net.Address;
import kaa.rpc.internal.net.SendBudget;

/**
 * A channel that connects to a {@link Server} (Java or Python kaa.rpc).
 *
 * <pre>{@code
 * try (Client client = Client.connect("127.0.0.1:4000", "secret")) {
 *     client.register(new Callbacks());                 // the server may call us too
 *     Object answer = client.rpc("do_something", 6).get(5, TimeUnit.SECONDS);
 * }
 *
 * Client c = Client.builder("media.sock")               // a Unix socket in kaa's temp dir
 *         .secret("s")
 *         .retry(Duration.ofSeconds(2))                 // reconnect after refusal or loss
 *         .connect();
 * c.whenOpen().get(10, TimeUnit.SECONDS);               // wait for the handshake, if you like
 * }</pre>
 *
 * <p>{@code connect} returns at once; the connection and handshake proceed in
 * the background, and calls made meanwhile are sent when the channel opens.
 * {@link #whenOpen()} completes when it does, or fails with the reason it
 * cannot: a {@link ConnectException} (refused),
 * {@link AuthenticationException} (wrong secret) or
 * {@link HandshakeTimeoutException}.
 *
 * <p><b>Reconnection.</b> Without {@code retry} a client connects once: a
 * refused or lost connection closes it for good. With {@code retry}, as in the
 * original, a refused connection attempt is repeated every {@code retry}
 * until it succeeds, and a lost connection is followed by new attempts at the
 * same interval; each success emits {@link #open()} again. Calls made before
 * the first open wait for it (at most {@link Builder#readyTimeout}, and
 * never past their own time-out); calls pending when a connection is lost fail
 * with {@link NotConnectedException} (they are never replayed: they may have
 * run), and calls made while disconnected fail at once, unless they wait for
 * ready ({@link Builder#waitForReady()}, {@link #waitingForReady()}). A failed handshake
 * is retried too, a refusal included: until the other side has proven it
 * knows the secret, nothing it says is proof of anything (whatever answers
 * the address while the server restarts could send it), so each such attempt
 * is logged with its reason (at most a line a second) and the client tries
 * again: after refusals in a row, after twice as long each time, up to 30
 * seconds (or the retry interval, if longer), so a server that refuses our
 * secret is asked less and less often. Without {@code retry},
 * {@link #whenOpen()} fails with the {@link PresumedAuthenticationException}.
 * {@link #close()} stops everything.
 */
public final class Client extends Channel implements AutoCloseable {

    private final String address;
    private final RpcFuture<Client> whenOpen;
    private final Endpoints.Connector connector;
    /** Makes the service of each connection (Builder.registerPerConnection), or null. */
    private final Function<? super Client, ?> perConnection;
    /** Where the factory runs: one connection's after the previous one's. */
    private final Executor perConnectionExecutor;
    /** The service of the current connection; only the tasks on perConnectionExecutor touch it. */
    private Object connectionService;

    private Client(Address address, Options options, Function<? super Client, ?> perConnection) {
        super(null, options, options.retry != null, null, null);
        this.address = address.toString();
        this.whenOpen = new RpcFuture<>(options.executor);
        this.connector = new Endpoints.Connector(address, options, session);
        this.perConnection = perConnection;
        this.perConnectionExecutor = CallbackExecutors.serial(options.executor);
    }

    /**
     * Connects to a kaa address ({@code "host:port"}, {@code "[v6]:port"} or a Unix socket path).
     *
     * @param address a kaa address: {@code "host:port"}, {@code "[v6]:port"}, a
     *     Unix socket path, a bare name for a socket in kaa's temp directory
     *     ({@code "media.sock"}), or a port number alone (on the loopback interface)
     * @param secret the shared secret
     * @return the client, which connects in the background
     * @throws IllegalArgumentException if the address cannot be parsed, or its host resolved
     */
    public static Client connect(String address, String secret) {
        return builder(address).secret(secret).connect();
    }

    /**
     * Connects to a TCP port on this host's loopback interface.
     *
     * @param port the server's port
     * @param secret the shared secret
     * @return the client, which connects in the background
     * @throws IllegalArgumentException if {@code port} is not between 0 and 65535
     */
    public static Client connect(int port, String secret) {
        return builder(port).secret(secret).connect();
    }

    /**
     * Starts a client with options; see {@link Builder}.
     *
     * @param address a kaa address: {@code "host:port"}, {@code "[v6]:port"}, a
     *     Unix socket path, a bare name for a socket in kaa's temp directory
     *     ({@code "media.sock"}), or a port number alone (on the loopback interface)
     * @return a builder of a client for that address
     * @throws IllegalArgumentException if the address cannot be parsed, or its host resolved
     */
    public static Builder builder(String address) {
        return new Builder(Address.parse(address, false));
    }

    /**
     * Starts a client for a TCP port on this host's loopback interface.
     *
     * @param port the server's port
     * @return a builder of a client for that port
     * @throws IllegalArgumentException if {@code port} is not between 0 and 65535
     */
    public static Builder builder(int port) {
        return new Builder(Address.port(port, false));
    }

    /**
     * Completes with this client when the channel first opens (the Java form
     * of {@code kaa.inprogress(client)}); fails if it closes before.
     *
     * @return the future of the first open
     */
    public CompletableFuture<Client> whenOpen() {
        return whenOpen;
    }

    /**
     * {@return the address this client connects to} A port alone is
     * {@code "localhost:port"}, a bare socket name its path in kaa's directory.
     */
    public String address() {
        return address;
    }

    @Override
    void opened() {
        whenOpen.complete(this); // first: a factory that fails closes the client, which must have opened
        if (perConnection != null) {
            // the server's calls on this connection wait until its service is there
            Runnable dispatch = session.holdIncoming();
            perConnectionExecutor.execute(() -> {
                try {
                    serveThisConnection();
                } finally {
                    dispatch.run();
                }
            });
        }
    }

    /** Replaces the last connection's service with one made for this connection. On the executor. */
    private void serveThisConnection() {
        if (connectionService != null) {
            disconnect(connectionService);
            connectionService = null;
        }
        if (!isConnected()) {
            return; // lost before its turn came: the next open makes another
        }
        connectionService = registerMade(() -> perConnection.apply(this));
    }

    @Override
    void closed(Throwable reason) {
        if (session.isClosed()) {
            whenOpen.completeExceptionally(reason);
        }
    }

    /** Closes the channel and stops reconnecting. */
    @Override
    public void close() {
        connector.stop();
        super.close();
    }

    /** Options of a {@link Client}: those of {@link PeerBuilder}, and {@link #retry}. */
    public static final class Builder extends PeerBuilder<Builder> {
        private final Address address;
        private final List<Object> services = new ArrayList<>();
        private Function<? super Client, ?> perConnection;

        private Builder(Address address) {
            this.address = address;
        }

        /**
         * Exposes {@code obj} to the server from the start, as {@link #register}
         * does after: a server that calls the client as soon as it connects
         * (from {@code client-connected}) finds it there.
         *
         * @param obj an object with {@code @Expose} methods, or a {@code Class}
         *     with static ones
         * @return this builder
         * @throws IllegalArgumentException as {@link Channel#register} does, here rather than at connect
         */
        public Builder register(Object obj) {
            ExposedMethod.scan(Objects.requireNonNull(obj, "obj")); // fail here, not at connect
            services.add(obj);
            return this;
        }

        /**
         * Registers, on each connection as it opens, the service
         * {@code factory} makes for it ({@code c -> new Ui(c)}), in place of
         * the last connection's: an object of its own per connection, made
         * before any call the server makes on that connection is dispatched,
         * so that a server calling back at once finds it. The factory runs on
         * the executor, one connection's after the other's. One that throws
         * or returns null closes the client, and says why in the log.
         *
         * @param factory makes the service of a connection, given the client
         * @return this builder
         */
        public Builder registerPerConnection(Function<? super Client, ?> factory) {
            this.perConnection = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Reconnect every {@code interval} after a refused or lost connection (default: never).
         *
         * @param interval the wait between attempts: positive, at most {@link #MAX_DURATION}
         * @return this builder
         */
        public Builder retry(Duration interval) {
            options.retry = Options.positive(interval, "retry");
            return this;
        }

        /**
         * Every call waits for ready ({@link Channel#waitingForReady()}): one
         * made while the client reconnects waits for the next open, at most
         * {@link #readyTimeout} and never past its own time-out, instead of
         * failing at once.
         *
         * @return this builder
         */
        public Builder waitForReady() {
            options.waitForReady = true;
            return this;
        }

        /**
         * How long a call waits for the connection to open (before the first
         * open, and while reconnecting for one that waits for ready) before it
         * fails with a {@link NotConnectedException} saying it was never sent:
         * default 30 seconds. A call whose own time-out comes first fails at
         * that with a {@link java.util.concurrent.TimeoutException}, which
         * says so too. A blocking proxy method's implicit 60 seconds is such a
         * time-out: it waits for the connection no longer than this.
         *
         * @param timeout how long a call waits for an open: positive, at most
         *     {@link #MAX_DURATION}
         * @return this builder
         */
        public Builder readyTimeout(Duration timeout) {
            options.readyTimeout = Options.positive(timeout, "readyTimeout");
            return this;
        }

        /**
         * Starts connecting and returns the client at once.
         *
         * @return the client, which connects in the background
         */
        public Client connect() {
            Options o = options.copy();
            o.receiveBudget = o.receiveBudgetBytes > 0 ? new ReceiveBudget(o.receiveBudgetBytes)
                    : ReceiveBudget.sharedByClients();
            o.sendBudget = o.sendBudgetBytes > 0 ? new SendBudget(o.sendBudgetBytes)
                    : SendBudget.sharedByClients();
            Client client = new Client(address, o, perConnection);
            services.forEach(client::register);
            client.connector.start();
            return client;
        }
    }
}
