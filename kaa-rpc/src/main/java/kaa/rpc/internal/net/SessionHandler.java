package kaa.rpc.internal.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import kaa.rpc.AuthenticationException;
import kaa.rpc.NotConnectedException;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.frame.ReadControl;
import kaa.rpc.internal.handshake.HandshakeHandler;
import kaa.rpc.internal.log.PeerLog;
import kaa.rpc.internal.session.Session;

/**
 * The last handler of a connection: hands packets to the {@link Session},
 * tells the connection and the session when the handshake is done,
 * remembers why the connection failed, and reports its end.
 */
public final class SessionHandler extends ChannelInboundHandlerAdapter {

    // one line per connection that ends badly, which a peer repeats at will: counted and rate-limited
    private static final PeerLog FAILED = PeerLog.debug(SessionHandler.class, "connection failed");
    private static final PeerLog CLOSING = PeerLog.info(SessionHandler.class, "connection closed on error");

    private final Session session;
    private final Connection connection;
    /** Told of a lost connection that the session retries, with why it was lost. */
    private final Consumer<Throwable> reconnect;
    private Throwable failure;

    public SessionHandler(Session session, Connection connection, Consumer<Throwable> reconnect) {
        this.session = session;
        this.connection = connection;
        this.reconnect = reconnect;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        session.packet(connection.link(), (Packet) msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof HandshakeHandler.Opened) {
            connection.opened(((HandshakeHandler.Opened) event).dialect());
            session.opened(connection.link());
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = unwrap(cause);
            cause = failure;
            connection.failed(cause);
            if (cause instanceof IOException && !(cause instanceof AuthenticationException)
                    && !String.valueOf(cause.getMessage()).startsWith("peer unresponsive")) {
                FAILED.log("connection with {} failed", connection.peer(), cause);
            } else {
                CLOSING.log("closing connection with {}: {}", connection.peer(), cause.toString());
            }
        }
        ctx.close();
    }

    /** Netty's decoder exceptions become the JDK's, so that no Netty type reaches users. */
    private static Throwable unwrap(Throwable cause) {
        if (cause instanceof DecoderException) {
            Throwable inner = cause.getCause() != null ? cause.getCause() : cause;
            if (inner instanceof SSLException) {
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
        connection.outbox().recount();
        connection.reconsider(ReadControl.Reason.PEER_NOT_READING);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.outbox().recount(); // nothing is unsent any more: its share of the send budget is free
        Throwable reason = failure != null ? failure
                : new NotConnectedException("connection closed by " + connection.peer());
        connection.ended(reason);
        if (session.connectionLost(connection.link(), reason) && reconnect != null) {
            reconnect.accept(reason);
        }
    }
}
