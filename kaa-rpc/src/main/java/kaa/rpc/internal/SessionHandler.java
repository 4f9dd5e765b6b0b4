package kaa.rpc.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import java.net.ProtocolException;
import kaa.rpc.NotConnectedException;

/**
 * The last handler of a connection: hands packets to the {@link Session},
 * remembers why the connection failed, and reports its end.
 */
final class SessionHandler extends ChannelInboundHandlerAdapter {

    // one line per connection that ends badly, which a peer repeats at will: counted and rate-limited
    private static final PeerLog FAILED = PeerLog.debug(SessionHandler.class, "connection failed");
    private static final PeerLog CLOSING = PeerLog.info(SessionHandler.class, "connection closed on error");

    /** A command no peer has: every kaa.rpc peer answers it at once with a KeyError, which proves it alive. */
    static final String HEARTBEAT = "__kaa_rpc_heartbeat__";

    private final Session session;
    private final Runnable reconnect;
    private final java.time.Duration heartbeatTimeout;
    private Throwable failure;
    private boolean probing;

    SessionHandler(Session session, Runnable reconnect, java.time.Duration heartbeatTimeout) {
        this.session = session;
        this.reconnect = reconnect;
        this.heartbeatTimeout = heartbeatTimeout;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        session.packet(ctx.channel(), (Packet) msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof HandshakeHandler.Opened) {
            session.opened(ctx.channel(), ((HandshakeHandler.Opened) event).javaPeer());
        } else if (event instanceof io.netty.handler.timeout.IdleStateEvent) {
            heartbeat(ctx);
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = unwrap(cause);
            cause = failure;
            if (cause instanceof java.io.IOException && !(cause instanceof kaa.rpc.AuthenticationException)
                    && !String.valueOf(cause.getMessage()).startsWith("peer unresponsive")) {
                FAILED.log("connection with {} failed", HandshakeHandler.peer(ctx), cause);
            } else {
                CLOSING.log("closing connection with {}: {}", HandshakeHandler.peer(ctx), cause.toString());
            }
        }
        ctx.close();
    }

    /**
     * The peer has been silent for the heartbeat interval: probe it, and close
     * if it does not answer. Not while we ourselves do not read (our calls fill
     * maxConcurrentCalls, or a frame waits for memory): the silence is ours,
     * and the answer to a probe could not be read anyway. While the peer reads
     * none of our answers, a probe could not reach it: that silence is the
     * peer's, and it is unresponsive once it lasts the heartbeat time-out.
     */
    private void heartbeat(ChannelHandlerContext ctx) {
        ReadGate gate = gate(ctx);
        if (probing || !session.isOpen() || gate == null || gate.pausedByUs()) {
            return;
        }
        if (gate.pausedByPeer()) {
            if (gate.peerPausedNanos() >= heartbeatTimeout.toNanos()) {
                exceptionCaught(ctx, new NotConnectedException("peer unresponsive: it has read none of our "
                        + "answers for " + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(gate.peerPausedNanos())
                        + " ms (heartbeat time-out " + heartbeatTimeout.toMillis() + " ms)"));
            }
            return;
        }
        probing = true;
        io.netty.channel.Channel ch = ctx.channel();
        session.call(HEARTBEAT, new Object[0], java.util.Map.of(), Object.class, heartbeatTimeout)
                .whenCompleteAsync((v, e) -> {
                    probing = false;
                    ReadGate g = gate(ctx);
                    if (e instanceof java.util.concurrent.TimeoutException && g != null && !g.pausedByUs()) {
                        exceptionCaught(ctx, new NotConnectedException("peer unresponsive: no answer to a "
                                + "heartbeat within " + heartbeatTimeout.toMillis() + " ms"));
                    }
                }, ch.eventLoop());
    }

    private static ReadGate gate(ChannelHandlerContext ctx) {
        FrameDecoder frames = ctx.pipeline().get(FrameDecoder.class);
        return frames == null ? null : frames.gate();
    }

    /** Netty's decoder exceptions become the JDK's, so that no Netty type reaches users. */
    private static Throwable unwrap(Throwable cause) {
        if (cause instanceof DecoderException) {
            Throwable inner = cause.getCause() != null ? cause.getCause() : cause;
            if (inner instanceof javax.net.ssl.SSLException) {
                return inner; // a JDK type already, and the clearest account of a failed TLS handshake
            }
            ProtocolException e = new ProtocolException(inner.getMessage());
            e.setStackTrace(new StackTraceElement[0]);
            return e;
        }
        return cause;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Outbox.of(ctx.channel()).recount();
        session.updateReading(ctx.channel());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Outbox.of(ctx.channel()).recount(); // nothing is unsent any more: its share of the send budget is free
        Throwable reason = failure != null ? failure
                : new NotConnectedException("connection closed by " + HandshakeHandler.peer(ctx));
        if (session.connectionLost(ctx.channel(), reason) && reconnect != null) {
            reconnect.run();
        }
    }
}
