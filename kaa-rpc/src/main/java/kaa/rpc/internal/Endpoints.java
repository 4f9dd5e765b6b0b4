package kaa.rpc.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import kaa.rpc.PresumedAuthenticationException;
import kaa.rpc.internal.Options;
import kaa.rpc.internal.dispatch.CallSource;
import kaa.rpc.internal.frame.FrameDecoder;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.ReadLimit;
import kaa.rpc.internal.handshake.FirstBytes;
import kaa.rpc.internal.handshake.HandshakeHandler;
import kaa.rpc.internal.net.Address;
import kaa.rpc.internal.net.Admission;
import kaa.rpc.internal.net.Connection;
import kaa.rpc.internal.net.EventLoops;
import kaa.rpc.internal.net.HeartbeatHandler;
import kaa.rpc.internal.net.IoBackend;
import kaa.rpc.internal.net.SessionHandler;
import kaa.rpc.internal.net.WireTap;
import kaa.rpc.internal.session.Session;
import kaa.rpc.internal.wire.Observers;
import kaa.rpc.internal.wire.WireTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sets up the sockets and pipelines of servers and clients on the shared event loops. */
public final class Endpoints {

    private static final Logger log = LoggerFactory.getLogger(Endpoints.class);

    private Endpoints() {
    }

    /**
     * Binds a server. {@code sessions} makes the session of each accepted
     * connection (called on its I/O thread).
     */
    public static Listening listen(Address address, Options options, Function<Channel, Session> sessions)
            throws IOException {
        Path staging = null;
        if (address.isUnix()) {
            address.checkParent();
            address.clearStaleSocket();
            // bound in a private directory, made owner-only there, then renamed into place: no moment
            // where the socket exists under its name with looser permissions, nor a delete-then-bind race
            staging = Files.createTempDirectory(address.path().toAbsolutePath().getParent(),
                    ".kaa-bind-");
        }
        // a TLS client speaks kaa only after TLS's own round trips: its handshake gets three times as long
        Admission admission = new Admission(options.maxConnections, options.maxHandshaking,
                options.tls == null ? Admission.DEFAULT_MIN_AGE_NANOS : 3 * Admission.DEFAULT_MIN_AGE_NANOS,
                System::nanoTime);
        CallSource.Registry callSources = new CallSource.Registry();
        Observers observers = Observers.of(options.observers);
        // a Unix connection's own local address is where the socket was bound, before its move into place
        String socketPath = address.isUnix() ? Address.format(address.socketAddress()) : null;
        ServerBootstrap b = new ServerBootstrap()
                .group(EventLoops.group())
                .channel(IoBackend.get().serverChannel(address.isUnix()))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        String refusal = admission.refusal(ch);
                        if (refusal != null) {
                            if (observers != null && !refusal.equals(Admission.CLOSING)) {
                                observers.refused(IoBackend.get().standard(ch.remoteAddress()), refusal);
                            }
                            ch.close();
                            return;
                        }
                        Connection connection = Connection.attach(ch, options.sendBudget, null, socketPath);
                        Session session = sessions.apply(ch);
                        Object source = sourceKey(ch, connection, true);
                        connection.link(session.attach(connection, connection, callSources.join(source, connection)));
                        pipeline(ch, true, connection, source, options, session, null);
                        admission.watchHandshake(ch);
                        if (options.tls != null) {
                            SSLEngine engine = options.tls.createSSLEngine();
                            engine.setUseClientMode(false);
                            engine.setNeedClientAuth(options.tlsClientAuth);
                            ch.pipeline().addBefore("frames", "tls", new SslHandler(engine));
                        }
                    }
                });
        if (!address.isUnix()) {
            b.option(ChannelOption.SO_REUSEADDR, true).childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true);
            if (options.bufferSize > 0) {
                b.childOption(ChannelOption.SO_RCVBUF, options.bufferSize)
                        .childOption(ChannelOption.SO_SNDBUF, options.bufferSize);
            }
        }
        SocketAddress bindTo = staging == null ? address.socketAddress()
                : IoBackend.get().unixAddress(staging.resolve("s"));
        ChannelFuture bound = b.bind(bindTo).awaitUninterruptibly();
        try {
            if (!bound.isSuccess()) {
                Throwable cause = bound.cause();
                if (cause instanceof IOException) {
                    IOException e = new BindException("cannot listen on " + address + ": "
                            + cause.getMessage());
                    e.initCause(cause);
                    throw e;
                }
                throw new IOException("cannot listen on " + address + ": " + cause, cause);
            }
            if (staging != null) {
                Path socket = staging.resolve("s");
                Address.restrict(socket, options.socketPermissions);
                Files.move(socket, address.path(), StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException | RuntimeException e) {
            if (bound.isSuccess()) {
                bound.channel().close().awaitUninterruptibly();
            }
            throw e;
        } finally {
            if (staging != null) {
                Files.deleteIfExists(staging.resolve("s"));
                Files.deleteIfExists(staging);
            }
        }
        return new Listening(bound.channel(), staging == null ? bound.channel().localAddress() : address.socketAddress(),
                admission);
    }

    /** A bound server socket. */
    public static final class Listening {
        private final Channel channel;
        private final SocketAddress address;
        private final Admission admission;

        Listening(Channel channel, SocketAddress address, Admission admission) {
            this.channel = channel;
            this.address = address;
            this.admission = admission;
        }

        /** Where clients reach it: the bound address, with the real port; for a Unix socket, its path. */
        public SocketAddress localAddress() {
            return address;
        }

        /** Closes the socket, and every connection still in its handshake; returns when the socket is closed. */
        public void close() {
            admission.close();
            channel.close().awaitUninterruptibly();
        }

        /** As {@link #close()}, without waiting: {@code then} runs when the socket is closed. */
        public void close(Runnable then) {
            admission.close();
            channel.close().addListener(f -> then.run());
        }
    }

    private static void pipeline(Channel ch, boolean server, Connection connection, Object source, Options options,
            Session session, Consumer<Throwable> reconnect) {
        Session.Link link = connection.link();
        Observers observers = Observers.of(options.observers);
        // decided once per connection: with neither observers nor a trace, no packet passes anything more
        WireTrace given = WireTrace.among(options.observers);
        WireTrace trace = given != null ? given : WireTrace.fromLogger();
        WireTap tap = observers == null && trace == null ? null : new WireTap(connection, observers, trace);
        connection.observe(observers, tap);
        ch.config().setWriteBufferWaterMark(
                new WriteBufferWaterMark(FrameLimits.OUTBOUND_LOW_WATER, FrameLimits.OUTBOUND_HIGH_WATER));
        // Until the handshake completes, read as the original does: at most 1 KiB at a time.
        ReadLimit reads = new ReadLimit();
        ch.config().setRecvByteBufAllocator(reads);
        ChannelPipeline p = ch.pipeline();
        FrameDecoder frames = new FrameDecoder(options.maxFrameSize, reads, link::busy,
                () -> !connection.acceptsMore(), options.receiveBudget, source, options.frameTimeout);
        // a plain server is the one side that speaks first and expects no TLS: it has nothing to find out
        FirstBytes first = server && options.tls == null ? null : new FirstBytes(connection, server, options.tls != null);
        if (first != null) {
            p.addLast("first-bytes", first);
        }
        p.addLast("frames", frames);
        if (tap != null) {
            p.addLast("wire", tap);
        }
        p.addLast("handshake", new HandshakeHandler(connection, server, options.secret, options.handshakeTimeout, frames,
                first));
        if (options.heartbeatInterval != null) {
            p.addLast("idle", new IdleStateHandler(options.heartbeatInterval.toNanos(), 0, 0, TimeUnit.NANOSECONDS));
            p.addLast("heartbeat", new HeartbeatHandler(session, options.heartbeatTimeout));
        }
        p.addLast("session", new SessionHandler(session, connection, reconnect));
    }

    /**
     * Who is at the other end of a connection, across its connections: no
     * one source holds more than half of the shared receive budget, and the
     * calls of its lost connections still count against its live ones. For a
     * server, the peer's host ({@link Address#host}, as for admission;
     * each Unix-socket connection, from a user of this host, is its own); for
     * a client, the server it reaches.
     */
    private static Object sourceKey(Channel ch, Connection connection, boolean server) {
        if (server) {
            Object host = Address.host(ch.remoteAddress());
            return host != null ? host : ch;
        }
        String connectedTo = connection.connectedTo();
        return connectedTo != null ? connectedTo : ch;
    }

    /** Connects a client session, again and again every {@code options.retry} if that is set. */
    public static final class Connector {
        private final Address address;
        private final Options options;
        private final Session session;
        private final Bootstrap bootstrap;
        /** The calls of the server's that outlive a connection count against the next. */
        private final CallSource.Registry callSources = new CallSource.Registry();
        /** The longest wait that refusals in a row lead to (unless the retry interval is longer). */
        static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

        private volatile boolean stopped;
        /** Presumed refusals since the last attempt that failed otherwise: attempts follow one another, on I/O threads. */
        private volatile int refusalsInARow;
        private volatile ScheduledFuture<?> next;

        public Connector(Address address, Options options, Session session) {
            this.address = address;
            this.options = options;
            this.session = session;
            this.bootstrap = new Bootstrap()
                    .group(EventLoops.group())
                    .channel(IoBackend.get().channel(address.isUnix()))
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                            (int) Math.min(Integer.MAX_VALUE, options.handshakeTimeout.toMillis()))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            Connection connection = Connection.attach(ch, options.sendBudget,
                                    Address.format(address.socketAddress()), null);
                            Object source = sourceKey(ch, connection, false);
                            connection.link(session.attach(connection, connection,
                                    callSources.join(source, connection)));
                            pipeline(ch, false, connection, source, options, session,
                                    Connector.this::scheduleRetry);
                            if (options.tls != null) {
                                ch.pipeline().addBefore("frames", "tls", new SslHandler(clientEngine()));
                            }
                        }
                    });
            if (!address.isUnix()) {
                bootstrap.option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.SO_KEEPALIVE, true);
                if (options.bufferSize > 0) {
                    bootstrap.option(ChannelOption.SO_RCVBUF, options.bufferSize)
                            .option(ChannelOption.SO_SNDBUF, options.bufferSize);
                }
            }
        }

        public void start() {
            attempt();
        }

        /** A client TLS engine that checks the server's certificate against the host it connects to. */
        private SSLEngine clientEngine() {
            SSLEngine engine;
            if (address.socketAddress() instanceof InetSocketAddress) {
                InetSocketAddress a = (InetSocketAddress) address.socketAddress();
                engine = options.tls.createSSLEngine(a.getHostString(), a.getPort());
                SSLParameters params = engine.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(params);
            } else {
                engine = options.tls.createSSLEngine();
            }
            engine.setUseClientMode(true);
            return engine;
        }

        private void attempt() {
            if (stopped) {
                return;
            }
            ChannelFuture f;
            try {
                f = bootstrap.connect(address.isUnix() ? IoBackend.get().unixAddress(address.path())
                        : address.socketAddress());
            } catch (RuntimeException | Error e) { // no socket at all (too many open files), or no thread for it
                if (session.connectionLost(null, e)) {
                    scheduleRetry(e);
                }
                return;
            }
            f.addListener(done -> {
                // an attempt whose socket could not even be set up never reached attach: it is reported as
                // a lost connection all the same (as null), so that a retry or a close follows
                Connection c = Connection.find(f.channel());
                Session.Link link = c == null ? null : c.link();
                Throwable failure = done.isSuccess() ? null : connectFailure(done.cause());
                if (failure != null && session.connectionLost(session.isCurrent(link) ? link : null, failure)) {
                    scheduleRetry(failure);
                }
            });
        }

        /**
         * A failed connect as the JDK names it, whatever the transport: a plain
         * {@link ConnectException} naming the address when nobody listens
         * (Netty's own subclass, or epoll's bare {@code FileNotFoundException} for
         * a missing socket file, would reach users otherwise).
         */
        private Throwable connectFailure(Throwable cause) {
            String message = String.valueOf(cause.getMessage());
            ConnectException plain;
            if (address.isUnix() && (cause instanceof FileNotFoundException
                    || message.contains("No such file or directory"))) {
                plain = new ConnectException("no socket file " + address.path()
                        + (address.isBareName() ? " (a name without ':' is a Unix socket in kaa's directory;"
                                + " for TCP, give host:port or a port number)" : " (is a server listening there?)"));
            } else if (cause instanceof ConnectException) {
                plain = new ConnectException("connection refused by " + address
                        + (message.contains("efused") ? "" : ": " + message));
            } else {
                return cause;
            }
            plain.initCause(cause);
            return plain;
        }

        /**
         * Tries again after {@code options.retry}; after presumed refusals in a
         * row, after twice as long each time, up to {@link #MAX_BACKOFF} (or
         * the retry interval, if longer): a server that refuses our secret is
         * asked less and less often, one that restarts is found again.
         */
        private void scheduleRetry(Throwable reason) {
            if (stopped) {
                return;
            }
            refusalsInARow = reason instanceof PresumedAuthenticationException ? refusalsInARow + 1 : 0;
            long wait = backoff(options.retry.toNanos(), refusalsInARow);
            next = EventLoops.group().schedule(() -> {
                try {
                    attempt();
                } catch (RuntimeException | Error e) { // whatever went wrong, the next attempt is not given up
                    log.warn("connection attempt to {} failed: {}", address, e.toString());
                    scheduleRetry(e);
                }
            }, wait, TimeUnit.NANOSECONDS);
        }

        /** The wait before the next attempt after {@code refusals} presumed refusals in a row. */
        static long backoff(long retryNanos, int refusals) {
            long cap = Math.max(retryNanos, MAX_BACKOFF.toNanos());
            if (refusals <= 1) {
                return retryNanos;
            }
            int doublings = Math.min(refusals - 1, 62);
            return retryNanos > cap >> doublings ? cap : Math.min(cap, retryNanos << doublings);
        }

        /** No more attempts. */
        public void stop() {
            stopped = true;
            ScheduledFuture<?> n = next;
            if (n != null) {
                n.cancel(false);
            }
        }
    }
}
