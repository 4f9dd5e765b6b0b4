package kaa.rpc;

import java.io.IOException;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import kaa.rpc.internal.Address;
import kaa.rpc.internal.Commands;
import kaa.rpc.internal.Executors;
import kaa.rpc.internal.Options;
import kaa.rpc.internal.Transport;

/**
 * Listens for kaa.rpc clients, Java or Python.
 *
 * <pre>{@code
 * class Media {
 *     @Expose("do_something") int myFunction(int foo) { return foo * 2; }
 *     @Expose(addClient = true) void hello(Channel peer, String s) { peer.rpc("welcome", s); }
 * }
 *
 * try (Server server = Server.listen("127.0.0.1:0", "secret")) {   // port 0: any free port
 *     server.register(new Media());
 *     server.clientConnected().connect(ch -> ch.rpc("hello", "from server"));
 *     System.out.println("listening on " + server.address());
 *     ...
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

    private final Commands commands = new Commands(null);
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final Signal<Channel> clientConnected;
    private final Transport.Listening listener;
    private final String address;
    private final Address bindAddress;
    private volatile boolean closed;

    private Server(Address bindAddress, Options options) throws IOException {
        this.bindAddress = bindAddress;
        this.clientConnected = new Signal<>("client-connected", Executors.serial(options.executor));
        this.listener = Transport.listen(bindAddress, options, ch -> {
            Channel channel = new Channel(commands, options, false, opened -> {
                channels.add(opened);
                if (closed) {
                    opened.close();
                } else {
                    clientConnected.emit(opened);
                }
            }, channels::remove);
            return channel.session;
        });
        this.address = Address.format(listener.localAddress());
    }

    /** Listens on a kaa address with a shared secret. */
    public static Server listen(String address, String secret) throws IOException {
        return builder(address).secret(secret).listen();
    }

    /** Listens on a TCP port of every interface with a shared secret; 0 picks a free port. */
    public static Server listen(int port, String secret) throws IOException {
        return builder(port).secret(secret).listen();
    }

    public static Builder builder(String address) {
        return new Builder(Address.parse(address));
    }

    public static Builder builder(int port) {
        return new Builder(Address.port(port, true));
    }

    /**
     * The bound address in kaa syntax, with the real port when 0 was asked
     * for: {@code "127.0.0.1:40123"}, {@code "0.0.0.0:4000"}, or the socket path.
     */
    public String address() {
        return address;
    }

    /**
     * Makes the exposed methods of {@code obj} callable by every client, those
     * connected already included: the {@link Expose} methods of an object, or
     * the static ones of a {@code Class} (the Java form of registering a module).
     */
    public Server register(Object obj) {
        commands.register(Objects.requireNonNull(obj, "obj"));
        return this;
    }

    /** Withdraws what {@link #register} made callable. Returns whether {@code obj} was registered. */
    public boolean disconnect(Object obj) {
        return commands.unregister(obj);
    }

    /** Emitted with the new {@link Channel} when a client has connected and passed the handshake. */
    public Signal<Channel> clientConnected() {
        return clientConnected;
    }

    /** The channels of the clients connected (and authenticated) now. */
    public Set<Channel> channels() {
        return Set.copyOf(channels);
    }

    /**
     * Stops listening (removing a Unix socket file) and closes every client's
     * channel, failing their pending calls. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        listener.close();
        if (bindAddress.isUnix()) {
            try {
                java.nio.file.Files.deleteIfExists(bindAddress.path());
            } catch (IOException ignored) {
                // someone else's now, or already gone
            }
        }
        for (Channel ch : channels) {
            ch.close();
        }
    }

    @Override
    public String toString() {
        return "Server[" + address + (closed ? ", closed" : "") + "]";
    }

    /** Options of a {@link Server}; every one has a default. */
    public static final class Builder {
        private final Address address;
        private final Options options = new Options();

        private Builder(Address address) {
            this.address = address;
        }

        /** The shared secret (default empty). */
        public Builder secret(String secret) {
            options.secret(Objects.requireNonNull(secret, "secret"));
            return this;
        }

        /**
         * A time-out for every call of the channels of connected clients (default: none). A call
         * without an answer by then fails with a {@link java.util.concurrent.TimeoutException};
         * it may still have run on the peer.
         */
        public Builder callTimeout(Duration timeout) {
            options.callTimeout = Options.positive(timeout, "callTimeout");
            return this;
        }

        /** How long a client may take to complete the handshake (default 10 s). */
        public Builder handshakeTimeout(Duration timeout) {
            options.handshakeTimeout = Options.positive(timeout, "handshakeTimeout");
            return this;
        }

        /** The largest frame accepted from a client after the handshake, in bytes (default 64 MiB). */
        public Builder maxFrameSize(long bytes) {
            if (bytes < 1 || bytes > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("maxFrameSize must be between 1 and " + Integer.MAX_VALUE);
            }
            options.maxFrameSize = bytes;
            return this;
        }

        /**
         * How many calls of one client may run at once (default 1024); beyond
         * that the server stops reading from that client until some finish, so
         * a flood of calls slows the flooder, not the server.
         */
        public Builder maxConcurrentCalls(int calls) {
            options.maxConcurrentCalls = Options.atLeastOne(calls, "maxConcurrentCalls");
            return this;
        }

        /**
         * Probes a channel that has been silent for {@code interval} with a call
         * of a command no peer has (any kaa.rpc peer, Python included, answers
         * it at once with an error); if no answer comes within {@code timeout},
         * the channel is closed with the reason "peer unresponsive" and its
         * calls fail. A frozen peer is so detected within interval + timeout.
         * Off by default; TCP keep-alive is always on.
         */
        public Builder heartbeat(Duration interval, Duration timeout) {
            options.heartbeatInterval = Options.positive(interval, "heartbeat interval");
            options.heartbeatTimeout = Options.positive(timeout, "heartbeat timeout");
            return this;
        }

        /** How many connections may be open at once (default 10,000); more are closed at once and logged. */
        public Builder maxConnections(int connections) {
            options.maxConnections = Options.atLeastOne(connections, "maxConnections");
            return this;
        }

        /**
         * How many connections may be in their handshake at once (default 256).
         * Beyond that the oldest of them is closed to make room, so that silent
         * or slow connections cannot keep real clients out.
         */
        public Builder maxHandshaking(int connections) {
            options.maxHandshaking = Options.atLeastOne(connections, "maxHandshaking");
            return this;
        }

        /**
         * Speaks the kaa protocol inside TLS, with this context's key and trust
         * material (the JDK's {@link javax.net.ssl.SSLContext}). Only other TLS
         * clients can then connect: Python kaa peers speak plain TCP, which
         * stays the default. The shared-secret handshake still runs inside.
         */
        public Builder tls(javax.net.ssl.SSLContext context) {
            options.tls = Objects.requireNonNull(context, "context");
            return this;
        }

        /** As {@link #tls(javax.net.ssl.SSLContext)}, and also require a client certificate the context trusts (mutual TLS). */
        public Builder tlsWithClientCertificates(javax.net.ssl.SSLContext context) {
            tls(context);
            options.tlsClientAuth = true;
            return this;
        }

        /** Socket send and receive buffer size in bytes (kaa's {@code buffer_size}; default: the system's). */
        public Builder bufferSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("bufferSize must be positive");
            }
            options.bufferSize = bytes;
            return this;
        }

        /**
         * Where exposed methods, dependents of call futures and signal callbacks
         * run (default: a virtual thread per task on Java 21+, else a shared pool).
         */
        public Builder executor(Executor executor) {
            options.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Permissions of a Unix socket file, as {@code "rw-rw----"} (default {@code "rw-------"}). */
        public Builder socketPermissions(String permissions) {
            Set<PosixFilePermission> perms = PosixFilePermissions.fromString(permissions);
            options.socketPermissions = perms;
            return this;
        }

        /** Binds and returns the listening server. */
        public Server listen() throws IOException {
            return new Server(address, options.copy());
        }
    }
}
