package kaa.rpc.internal.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kaa.rpc.NotConnectedException;
import kaa.rpc.internal.frame.FrameDecoder;
import kaa.rpc.internal.frame.ReadGate;
import kaa.rpc.internal.session.Session;

/**
 * Probes a peer that has been silent for the heartbeat interval (Netty's
 * {@link IdleStateEvent}), and fails the connection if it does not answer;
 * the failure travels on to the {@link SessionHandler}, which closes it.
 */
public final class HeartbeatHandler extends ChannelInboundHandlerAdapter {

    /** A command no peer has: every kaa.rpc peer answers it at once with a KeyError, which proves it alive. */
    static final String HEARTBEAT = "__kaa_rpc_heartbeat__";

    private final Session session;
    private final Duration heartbeatTimeout;
    /** A probe is out (on the event loop). */
    private boolean probing;

    public HeartbeatHandler(Session session, Duration heartbeatTimeout) {
        this.session = session;
        this.heartbeatTimeout = heartbeatTimeout;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            heartbeat(ctx);
        } else {
            ctx.fireUserEventTriggered(event);
        }
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
                ctx.fireExceptionCaught(new NotConnectedException("peer unresponsive: it has read none of our "
                        + "answers for " + TimeUnit.NANOSECONDS.toMillis(gate.peerPausedNanos())
                        + " ms (heartbeat time-out " + heartbeatTimeout.toMillis() + " ms)"));
            }
            return;
        }
        probing = true;
        session.call(HEARTBEAT, new Object[0], Map.of(), Object.class, heartbeatTimeout, false)
                .whenCompleteAsync((v, e) -> {
                    probing = false;
                    ReadGate g = gate(ctx);
                    if (e instanceof TimeoutException && g != null && !g.pausedByUs()) {
                        ctx.fireExceptionCaught(new NotConnectedException("peer unresponsive: no answer to a "
                                + "heartbeat within " + heartbeatTimeout.toMillis() + " ms"));
                    }
                }, ctx.channel().eventLoop());
    }

    private static ReadGate gate(ChannelHandlerContext ctx) {
        FrameDecoder frames = ctx.pipeline().get(FrameDecoder.class);
        return frames == null ? null : frames.gate();
    }
}
