package kaa.rpc.internal.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLException;
import kaa.rpc.AuthenticationException;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.HandshakeTimeoutException;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.FrameDecoder;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.FrameSink;
import kaa.rpc.internal.frame.ReadControl;
import kaa.rpc.internal.frame.ReadGate;
import kaa.rpc.internal.handshake.HandshakePeer;
import kaa.rpc.internal.session.Session;
import kaa.rpc.internal.wire.Observers;

/**
 * One Netty channel as the session sees it: a {@link FrameSink} and a
 * {@link ReadControl}. It owns what the connection knows of itself: its
 * {@link Outbox}, the peer's {@link Dialect} (fixed by the handshake), the
 * peer's name, whether the peer has spoken yet, and the session's
 * {@link Session.Link} for it. Made once per channel, where its pipeline is.
 *
 * <p>Reading itself is switched by the channel's {@link ReadGate} (in its
 * {@link FrameDecoder}), the one writer of {@code autoRead}; this class only
 * asks it to look again.
 */
public final class Connection implements FrameSink, ReadControl, HandshakePeer {

    /** The one channel attribute: a channel's connection, for handlers and the server's admission. */
    private static final AttributeKey<Connection> KEY = AttributeKey.valueOf(Connection.class, "connection");

    private final Channel channel;
    private final Outbox outbox;
    /** The address a client connected to, for naming its peer where the socket has no name for it; or null. */
    private final String connectedTo;
    /** The socket path a server's Unix connection came in on (the channel's own is where it was bound); or null. */
    private final String listeningOn;
    /** Written once, on the I/O thread, when the handshake completes; read by callers on any thread. */
    private volatile Dialect dialect = Dialect.PYTHON;
    /** Whether the peer has sent a handshake packet yet (read by the server's admission, on other loops). */
    private volatile boolean spoken;
    private Session.Link link;
    /** Told of this connection's life, or null for none; set once, where the pipeline is made. */
    private Observers observers;
    /** The trace of this connection's packets and events, or null; set with the observers. */
    private WireTap tap;
    /** Written once, on the I/O thread, when the handshake completes; read by callers on any thread. */
    private volatile ConnectionInfo info;
    /** Why the handshake failed, the first reason given (I/O thread); null while it has not. */
    private String handshakeFailure;

    private Connection(Channel channel, SendBudget budget, String connectedTo, String listeningOn) {
        this.channel = channel;
        this.outbox = new Outbox(channel, budget);
        this.connectedTo = connectedTo;
        this.listeningOn = listeningOn;
    }

    /**
     * Makes the connection of a new channel, whose unsent bytes count in
     * {@code budget}; {@code connectedTo} names a client's server, and
     * {@code listeningOn} a Unix server's socket path (each or null).
     */
    public static Connection attach(Channel channel, SendBudget budget, String connectedTo, String listeningOn) {
        Connection c = new Connection(channel, budget, connectedTo, listeningOn);
        channel.attr(KEY).set(c);
        budget.join(c.outbox);
        channel.closeFuture().addListener(f -> budget.leave(c.outbox)); // also a connect that failed, never active
        return c;
    }

    /** The connection of {@code channel}; one of its own (with a budget of its own) for a channel made by a test. */
    public static Connection of(Channel channel) {
        Connection c = channel.attr(KEY).get();
        if (c == null) {
            Connection made = new Connection(channel, new SendBudget(Long.MAX_VALUE), null, null);
            c = channel.attr(KEY).setIfAbsent(made);
            if (c == null) {
                c = made;
            }
        }
        return c;
    }

    /** The connection of {@code channel}, or null if it has none. */
    public static Connection find(Channel channel) {
        return channel.attr(KEY).get();
    }

    Outbox outbox() {
        return outbox;
    }

    /** The session's side of this connection (set once, where the pipeline is made). */
    public void link(Session.Link link) {
        this.link = link;
    }

    public Session.Link link() {
        return link;
    }

    /**
     * Tells {@code observers} and {@code tap} (each or null) of this
     * connection's life; where the pipeline is made.
     */
    public void observe(Observers observers, WireTap tap) {
        this.observers = observers;
        this.tap = tap;
    }

    /** The handshake completed, with a peer that reads {@code dialect}. On the I/O thread. */
    public void opened(Dialect dialect) {
        this.dialect = dialect;
        SocketAddress local = IoBackend.get().standard(channel.localAddress());
        info = new ConnectionInfo(local, remoteAddress(),
                local instanceof InetSocketAddress ? ConnectionInfo.Transport.TCP : ConnectionInfo.Transport.UNIX,
                dialect != Dialect.PYTHON);
        if (observers != null) {
            observers.opened(info);
        }
        if (tap != null) {
            tap.opened(info);
        }
    }

    @Override
    public void handshakeFailed(String reason) {
        if (handshakeFailure == null) {
            handshakeFailure = reason;
        }
    }

    /** The connection fails with {@code cause}; before it opened, that says why its handshake failed. I/O thread. */
    void failed(Throwable cause) {
        if (info != null || handshakeFailure != null) {
            return;
        }
        if (cause instanceof SSLException) {
            handshakeFailure = TLS;
        } else if (cause instanceof HandshakeTimeoutException) {
            handshakeFailure = TIMEOUT;
        } else if (cause instanceof AuthenticationException) {
            handshakeFailure = WRONG_SECRET;
        } else if (cause instanceof ProtocolException) { // a frame the handshake does not allow, junk
            handshakeFailure = MALFORMED;
        } // else a reset or a close: CLOSED, when it ends
    }

    /** The connection is gone, for {@code reason}: its observers are told how it ended. I/O thread. */
    void ended(Throwable reason) {
        String failure = handshakeFailure != null ? handshakeFailure : CLOSED;
        if (tap != null) {
            tap.ended(info != null, failure, reason);
        }
        if (observers == null) {
            return;
        }
        if (info != null) {
            observers.closed(info, reason);
        } else if (channel.remoteAddress() != null || channel.localAddress() != null) { // it was connected
            observers.handshakeFailed(remoteAddress(), failure);
        }
    }

    @Override
    public ConnectionInfo info() {
        return info;
    }

    /** The peer sent its first handshake packet. */
    public void spoke() {
        spoken = true;
    }

    boolean hasSpoken() {
        return spoken;
    }

    // ---- FrameSink --------------------------------------------------------------------------------------

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public void send(ByteBuf frame) {
        outbox.send(frame);
    }

    @Override
    public void sendNow(ByteBuf frame) {
        channel.write(frame, channel.voidPromise());
    }

    @Override
    public void flushNow() {
        channel.flush();
        outbox.recount();
    }

    @Override
    public void execute(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException shuttingDown) { // the JVM ends: nothing to hand on
        }
    }

    @Override
    public Executor loop() {
        return channel.eventLoop();
    }

    @Override
    public boolean isActive() {
        return channel.isActive();
    }

    @Override
    public boolean acceptsMore() {
        return channel.isWritable() && outbox.queuedBytes() <= FrameLimits.OUTBOUND_HIGH_WATER;
    }

    @Override
    public boolean admits(int bytes) {
        return outbox.admits(bytes);
    }

    @Override
    public long sendBudgetLimit() {
        return outbox.budget().limit();
    }

    @Override
    public void giveWay() {
        outbox.evict(outbox.budget().held(), outbox.budget().limit());
    }

    @Override
    public Dialect dialect() {
        return dialect;
    }

    @Override
    public String peer() {
        return name(channel, this);
    }

    /**
     * The peer of {@code ch}, for messages and logs: its address; over a Unix
     * socket, where the peer's end has no name, the socket path (a client's
     * peer is the server at the path it connected to; a server's peer a
     * client on its path).
     */
    public static String peer(Channel ch) {
        return name(ch, find(ch));
    }

    private static String name(Channel ch, Connection c) {
        SocketAddress a = ch.remoteAddress();
        String text = a == null ? "" : Address.format(a);
        if (!text.isEmpty()) {
            return text;
        }
        if (c != null && c.connectedTo != null) {
            return c.connectedTo;
        }
        SocketAddress local = ch.localAddress();
        String path = c != null && c.listeningOn != null ? c.listeningOn : local == null ? "" : Address.format(local);
        return path.isEmpty() ? "local peer" : "local peer on " + path;
    }

    /** Who this connection is across connections when it is a client's: the server it reaches, or null. */
    public String connectedTo() {
        return connectedTo;
    }

    @Override
    public SocketAddress remoteAddress() {
        return IoBackend.get().standard(channel.remoteAddress());
    }

    @Override
    public long unsentBytes() {
        return outbox.unsentBytes();
    }

    @Override
    public void close() {
        channel.close();
    }

    // ---- ReadControl ------------------------------------------------------------------------------------

    @Override
    public void reconsider(Reason reason) {
        FrameDecoder.updateReading(channel);
    }

    /** A test's view, from any thread: reads {@code autoRead}, which only the {@link ReadGate} writes. */
    @Override
    public boolean paused() {
        return channel.isActive() && !channel.config().isAutoRead();
    }
}
