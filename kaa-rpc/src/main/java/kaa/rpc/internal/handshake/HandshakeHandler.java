package kaa.rpc.internal.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import kaa.rpc.AuthenticationException;
import kaa.rpc.HandshakeTimeoutException;
import kaa.rpc.PresumedAuthenticationException;
import kaa.rpc.NotConnectedException;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.FrameDecoder;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.log.PeerLog;

/**
 * Runs the shared-secret handshake of one connection, then leaves the
 * pipeline and tells the next handler with {@link Opened}. A failure (wrong
 * secret, protocol violation, time-out) is passed on as an exception and the
 * connection is closed.
 *
 * <p>The server sends {@code AUTH} with its challenge; the client answers
 * {@code RESP} with its answer and its own challenge; the server checks and,
 * if the client challenged it, answers {@code RESP}. A client that sent its
 * answer and then sees the connection close presumes the server rejected the
 * secret: the original protocol has no other way to say so.
 */
public final class HandshakeHandler extends ChannelInboundHandlerAdapter {

    /** User event fired when the handshake succeeded; says what the peer reads. */
    public record Opened(Dialect dialect) {
    }

    /** A peer may try wrong secrets as fast as it can connect. */
    private static final PeerLog WRONG_SECRET = PeerLog.warn(HandshakeHandler.class, "wrong secret");
    /** A server's own account of a client that fails for want of TLS: the client is told nothing it can read. */
    static final PeerLog TLS_ON_ONE_SIDE = PeerLog.info(HandshakeHandler.class, "TLS on one side only");

    private final HandshakePeer connection;
    private final boolean server;
    private final byte[] secret;
    private final Duration timeout;
    /** When the connection must be open by. */
    private final long deadline;
    private final FrameDecoder frames;
    /** What came off the socket first, where TLS on one side only would show; null where it cannot (a plain server). */
    private final FirstBytes first;
    private ScheduledFuture<?> timer;
    private byte[] ourChallenge;   // what we asked the peer to answer
    private byte[] theirChallenge; // client: what the server asked us to answer
    private boolean answered;      // client: our RESP is on its way
    /** What the peer reads, once its challenge is read; the connection's from when the handshake is done. */
    private Dialect dialect = Dialect.PYTHON;
    private boolean done;

    public HandshakeHandler(HandshakePeer connection, boolean server, byte[] secret, Duration timeout,
            FrameDecoder frames) {
        this(connection, server, secret, timeout, frames, null);
    }

    public HandshakeHandler(HandshakePeer connection, boolean server, byte[] secret, Duration timeout,
            FrameDecoder frames, FirstBytes first) {
        this.connection = connection;
        this.first = first;
        this.server = server;
        this.secret = secret;
        this.timeout = timeout;
        this.frames = frames;
        // made where the connection starts (a client's, before it connects): connecting and the handshake
        // share the one time-out, rather than having it each
        this.deadline = System.nanoTime() + timeout.toNanos();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> timedOut(ctx), Math.max(0, deadline - System.nanoTime()),
                TimeUnit.NANOSECONDS);
        if (server) {
            ourChallenge = Handshake.challenge(true);
            send(ctx, Packet.AUTH, Handshake.payload(ourChallenge, Handshake.zero(), Handshake.zero()));
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Packet p = (Packet) msg;
        connection.spoke();
        try {
            if (done) {
                return;
            }
            if (!server && p.type() == Packet.DENY && answered) {
                fail(ctx, HandshakePeer.WRONG_SECRET, refusal("server " + peer(ctx) + " refused our answer to its challenge: the secret is "
                        + "wrong, or what answered is not the server (nothing in a refusal proves who sent it)"));
                return;
            }
            if (p.payload().readableBytes() != Handshake.PAYLOAD) {
                fail(ctx, HandshakePeer.MALFORMED, refusal("handshake with " + peer(ctx) + " failed: "
                        + Packet.typeName(p.type()) + " payload of " + p.payload().readableBytes()
                        + " bytes, expected " + Handshake.PAYLOAD));
                return;
            }
            byte[] payload = ByteBufUtil.getBytes(p.payload());
            if (server && p.type() == Packet.RESP) {
                serverCheck(ctx, p.seq(), payload);
            } else if (!server && p.type() == Packet.AUTH && ourChallenge == null) {
                clientAnswer(ctx, p.seq(), payload);
            } else if (!server && p.type() == Packet.RESP && ourChallenge != null) {
                clientCheck(ctx, payload);
            } else {
                fail(ctx, HandshakePeer.MALFORMED, refusal("handshake with " + peer(ctx) + " failed: unexpected "
                        + Packet.typeName(p.type()) + " packet"));
            }
        } finally {
            p.payload().release();
        }
    }

    private void timedOut(ChannelHandlerContext ctx) {
        String why = whySilent();
        if (server && !why.isEmpty()) {
            TLS_ON_ONE_SIDE.log("client {} sent nothing within {} ms, not even a TLS hello: it may be a kaa.rpc "
                    + "client without tls(...)", peer(ctx), timeout.toMillis());
        }
        fail(ctx, HandshakePeer.TIMEOUT, new HandshakeTimeoutException("no handshake within " + timeout.toMillis() + " ms with "
                + peer(ctx) + why));
    }

    private void serverCheck(ChannelHandlerContext ctx, int seq, byte[] payload) {
        byte[] clientChallenge = Handshake.field(payload, 0);
        if (!Handshake.verify(secret, Handshake.answered(ourChallenge, clientChallenge), Handshake.field(payload, 2),
                Handshake.field(payload, 1))) {
            WRONG_SECRET.log("authentication failed for client {}: wrong secret", peer(ctx));
            if (Handshake.dialectOf(clientChallenge).readsDeny()) {
                // a client of this library is told, so that it can say why at once rather than guess from a hang-up
                send(ctx, Packet.DENY, seq, new byte[0]);
            }
            fail(ctx, HandshakePeer.WRONG_SECRET,
                    new AuthenticationException("client " + peer(ctx) + " does not know the secret"));
            return;
        }
        dialect = Handshake.dialectOf(clientChallenge);
        if (!Handshake.isZero(clientChallenge)) {
            byte[] salt = Handshake.random();
            send(ctx, Packet.RESP, seq, Handshake.payload(Handshake.zero(),
                    Handshake.answer(secret, Handshake.answered(clientChallenge, ourChallenge), salt), salt));
        }
        open(ctx);
    }

    private void clientAnswer(ChannelHandlerContext ctx, int seq, byte[] payload) {
        byte[] theirs = Handshake.field(payload, 0);
        String refusal = Handshake.refusal(theirs);
        if (refusal != null) {
            fail(ctx, HandshakePeer.MALFORMED, refusal("server " + peer(ctx) + " is not to be trusted: we do not answer "
                    + "its challenge, as " + refusal));
            return;
        }
        byte[] salt = Handshake.random();
        ourChallenge = Handshake.challenge(false);
        theirChallenge = theirs;
        dialect = Handshake.dialectOf(theirs);
        answered = true;
        send(ctx, Packet.RESP, seq, Handshake.payload(ourChallenge,
                Handshake.answer(secret, Handshake.answered(theirs, ourChallenge), salt), salt));
    }

    private void clientCheck(ChannelHandlerContext ctx, byte[] payload) {
        if (!Handshake.verify(secret, Handshake.answered(ourChallenge, theirChallenge), Handshake.field(payload, 2),
                Handshake.field(payload, 1))) {
            fail(ctx, HandshakePeer.WRONG_SECRET, refusal("server " + peer(ctx)
                    + " answered our challenge wrongly: it does not know the secret"));
            return;
        }
        open(ctx);
    }

    private void open(ChannelHandlerContext ctx) {
        done = true;
        timer.cancel(false);
        Handshake.settled(ourChallenge);
        frames.opened();
        ctx.fireUserEventTriggered(new Opened(dialect));
        ctx.pipeline().remove(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        Handshake.settled(ourChallenge); // however the handshake ended
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!done) {
            done = true;
            timer.cancel(false);
            connection.handshakeFailed(HandshakePeer.CLOSED);
            ctx.fireExceptionCaught(!server && answered
                    ? new PresumedAuthenticationException("server " + peer(ctx) + " closed the connection after "
                            + "checking our answer: the secret is wrong, or the server restarted or is shedding "
                            + "connections")
                    : new NotConnectedException("connection to " + peer(ctx) + " closed during the handshake"
                            + whySilent()));
        }
        ctx.fireChannelInactive();
    }

    /**
     * A failed handshake. On a client it comes from a party that has proven
     * nothing (a refusal, junk, a wrong answer: whatever answered the address,
     * a port squatted while the server restarts, can send it), so it is a
     * presumed refusal, and a retrying client tries again; on a server it
     * ends the connection, which is all a server does anyway.
     */
    private AuthenticationException refusal(String message) {
        return server ? new AuthenticationException(message) : new PresumedAuthenticationException(message);
    }

    private void fail(ChannelHandlerContext ctx, String why, Exception reason) {
        if (done) {
            return;
        }
        done = true;
        connection.handshakeFailed(why);
        timer.cancel(false);
        ctx.fireExceptionCaught(reason);
        ctx.close();
    }

    private static void send(ChannelHandlerContext ctx, int type, byte[] payload) {
        send(ctx, type, 0, payload);
    }

    private static void send(ChannelHandlerContext ctx, int type, int seq, byte[] payload) {
        ByteBuf buf = ctx.alloc().buffer(Packet.HEADER_SIZE + payload.length);
        Packet.writeHeader(buf, seq, type, payload.length);
        buf.writeBytes(payload);
        ctx.writeAndFlush(buf, ctx.voidPromise());
    }

    /** Why the peer may have said nothing, when it said nothing; else empty. */
    private String whySilent() {
        return first == null ? "" : first.whySilent();
    }

    private String peer(ChannelHandlerContext ctx) {
        return connection.peer();
    }
}
