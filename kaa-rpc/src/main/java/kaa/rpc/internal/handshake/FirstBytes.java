package kaa.rpc.internal.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.ProtocolException;
import javax.net.ssl.SSLException;

/**
 * The first handler of a connection where TLS is on, or of a plain client:
 * it reads the first bytes as they come off the socket, before TLS, so that
 * a side with TLS and a side without it say so rather than fail obscurely.
 * A kaa.rpc server speaks first, with a 12-byte header whose type is ASCII
 * ({@code AUTH}); a TLS record begins with its content type and major
 * version 3 ({@code 0x16 0x03}, {@code 0x15 0x03}). A TLS client sent a
 * kaa.rpc header, or a plain client sent a TLS record, fails with the likely
 * cause. A plain client and a TLS server wait for each other in silence: the
 * handshake's time-out then asks {@link #whySilent} what to add.
 *
 * <p>It copies at most {@value #LOOK} bytes and passes every buffer on
 * untouched, so the limits below it see the same bytes; it leaves once it
 * has seen enough.
 */
public final class FirstBytes extends ChannelInboundHandlerAdapter {

    /** Enough of a kaa.rpc header to read its type. */
    static final int LOOK = 8;

    private final HandshakePeer connection;
    private final boolean server;
    private final boolean tls;
    private final byte[] head = new byte[LOOK];
    private int seen;

    public FirstBytes(HandshakePeer connection, boolean server, boolean tls) {
        this.connection = connection;
        this.server = server;
        this.tls = tls;
    }

    /** Whether not one byte has come from the peer. */
    boolean heardNothing() {
        return seen == 0;
    }

    /**
     * What a handshake that ended with nothing from the peer adds to its
     * message: the likely cause, when one side speaks TLS and the other does
     * not; empty otherwise.
     */
    String whySilent() {
        if (seen > 0) {
            return "";
        }
        if (server && tls) {
            return ": it sent nothing, not even a TLS hello; a kaa.rpc client without tls(...) waits in silence "
                    + "for the server to speak first";
        }
        if (!server && !tls) {
            return ": the server sent nothing (a kaa.rpc server speaks first, unless it speaks TLS): if the server "
                    + "at " + connection.peer() + " speaks TLS, set tls(...) on the client too";
        }
        return "";
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            ByteBuf b = (ByteBuf) msg;
            int n = Math.min(LOOK - seen, b.readableBytes());
            b.getBytes(b.readerIndex(), head, seen, n);
            seen += n;
            Exception mismatch = mismatch();
            if (mismatch != null) {
                if (server) {
                    HandshakeHandler.TLS_ON_ONE_SIDE.log("closing connection with {}: {}", connection.peer(),
                            mismatch.getMessage());
                }
                b.release();
                ctx.pipeline().remove(this);
                connection.handshakeFailed(HandshakePeer.TLS);
                ctx.fireExceptionCaught(mismatch);
                ctx.close();
                return;
            }
            if (decided()) {
                ctx.pipeline().remove(this);
            }
        }
        ctx.fireChannelRead(msg);
    }

    private boolean looksLikeTls() {
        return seen >= 2 && (head[0] == 0x15 || head[0] == 0x16) && head[1] == 0x03;
    }

    /** The bytes 4 to 8 of a kaa.rpc header: its type, four capital letters. */
    private boolean looksLikeKaa() {
        if (seen < LOOK) {
            return false;
        }
        for (int i = 4; i < LOOK; i++) {
            if (head[i] < 'A' || head[i] > 'Z') {
                return false;
            }
        }
        return true;
    }

    private boolean decided() {
        return tls ? seen >= LOOK || looksLikeTls() : seen >= 2;
    }

    private Exception mismatch() {
        if (!tls && !server && looksLikeTls()) {
            return new ProtocolException("the server at " + connection.peer()
                    + " speaks TLS: set tls(...) on the client too");
        }
        if (tls && !looksLikeTls() && looksLikeKaa()) {
            return new SSLException(server
                    ? "client " + connection.peer() + " does not speak TLS (it sent a kaa.rpc frame): it needs "
                            + "tls(...), or a port without TLS"
                    : "the server at " + connection.peer() + " does not speak TLS (it sent a kaa.rpc greeting): "
                            + "remove tls(...) or ask for a TLS port");
        }
        return null;
    }
}
