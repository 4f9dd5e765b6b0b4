package kaa.rpc.internal.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.wire.Observers;

/**
 * Sees every frame of one connection, both ways, for its observers: placed
 * right after the frame decoder, it sees each packet the decoder hands on
 * (the large frames received in place too) and each frame written towards
 * the socket, by the outbox and by the handshake alike. Only in the
 * pipeline of a connection that has observers.
 */
public final class WireTap extends ChannelDuplexHandler {

    private final Connection connection;
    private final Observers observers;

    public WireTap(Connection connection, Observers observers) {
        this.connection = connection;
        this.observers = observers;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        ConnectionInfo info = connection.info();
        if (info != null && msg instanceof Packet p) {
            observers.packetReceived(info, Packet.typeName(p.type()), Packet.HEADER_SIZE + (long) p.payload().readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        ConnectionInfo info = connection.info();
        // every frame is written as one buffer, header first; an empty one is the outbox's recount
        if (info != null && msg instanceof ByteBuf b && b.readableBytes() >= Packet.HEADER_SIZE) {
            observers.packetSent(info, Packet.typeName(b.getInt(b.readerIndex() + 4)), b.readableBytes());
        }
        ctx.write(msg, promise);
    }
}
