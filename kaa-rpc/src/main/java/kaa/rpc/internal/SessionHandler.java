package kaa.rpc.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import java.net.ProtocolException;
import kaa.rpc.NotConnectedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a connection: hands packets to the {@link Session},
 * remembers why the connection failed, and reports its end.
 */
final class SessionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);

    private final Session session;
    private final Runnable reconnect;
    private Throwable failure;

    SessionHandler(Session session, Runnable reconnect) {
        this.session = session;
        this.reconnect = reconnect;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        session.packet(ctx.channel(), (Packet) msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof HandshakeHandler.Opened) {
            session.opened(ctx.channel(), ((HandshakeHandler.Opened) event).javaPeer());
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = unwrap(cause);
            cause = failure;
            if (cause instanceof java.io.IOException && !(cause instanceof kaa.rpc.AuthenticationException)) {
                log.debug("connection with {} failed", HandshakeHandler.peer(ctx), cause);
            } else {
                log.info("closing connection with {}: {}", HandshakeHandler.peer(ctx), cause.toString());
            }
        }
        ctx.close();
    }

    /** Netty's decoder exceptions become the JDK's, so that no Netty type reaches users. */
    private static Throwable unwrap(Throwable cause) {
        if (cause instanceof DecoderException) {
            Throwable inner = cause.getCause() != null ? cause.getCause() : cause;
            ProtocolException e = new ProtocolException(inner.getMessage());
            e.setStackTrace(new StackTraceElement[0]);
            return e;
        }
        return cause;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        session.updateReading(ctx.channel());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Throwable reason = failure != null ? failure
                : new NotConnectedException("connection closed by " + HandshakeHandler.peer(ctx));
        if (session.connectionLost(ctx.channel(), reason) && reconnect != null) {
            reconnect.run();
        }
    }
}
