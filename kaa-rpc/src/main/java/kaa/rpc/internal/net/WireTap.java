package kaa.rpc.internal.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.net.SocketAddress;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.frame.PacketType;
import kaa.rpc.internal.log.PeerLog;
import kaa.rpc.internal.wire.Observers;
import kaa.rpc.internal.wire.WireFormat;
import kaa.rpc.internal.wire.WireTrace;

/**
 * Sees every frame of one connection, both ways, for its observers and its
 * wire trace: placed right after the frame decoder, it sees each packet the
 * decoder hands on (the large frames received in place too) and each frame
 * written towards the socket, by the outbox and by the handshake alike. Only
 * in the pipeline of a connection that has observers or a trace, decided
 * once when the connection is set up.
 */
public final class WireTap extends ChannelDuplexHandler {

    /** A trace's consumer that throws (a closed stream) must not break the connection: one line a second. */
    private static final PeerLog TRACE_FAILED = PeerLog.warn(WireTap.class, "wire trace failed");

    private final Connection connection;
    /** Each or null, not both. */
    private final Observers observers;
    private final WireTrace trace;
    /** This connection's calls not yet answered, for the trace's answer lines (I/O thread); null without a trace. */
    private final WireTrace.Calls calls;
    private final String id = WireTrace.newConnectionId();
    /** The two ends as the trace shows them, known once the socket is connected (I/O thread). */
    private String local = "-";
    private String remote = "-";

    public WireTap(Connection connection, Observers observers, WireTrace trace) {
        this.connection = connection;
        this.observers = observers;
        this.trace = trace;
        this.calls = trace == null ? null : new WireTrace.Calls();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        local = name(ctx.channel().localAddress(), "-");
        remote = name(ctx.channel().remoteAddress(), connection.peer());
        ctx.fireChannelActive();
    }

    private static String name(SocketAddress a, String otherwise) {
        String text = a == null ? "" : Address.format(a);
        return text.isEmpty() ? otherwise : text;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof Packet p) {
            ConnectionInfo info = connection.info();
            if (info != null && observers != null) {
                observers.packetReceived(info, typeName(p.type()),
                        Packet.HEADER_SIZE + (long) p.payload().readableBytes());
            }
            if (trace != null) {
                try {
                    trace.packet(id, local, remote, WireFormat.Direction.RECEIVED, p.seq(), p.type(), p.payload(),
                            info == null, calls);
                } catch (RuntimeException e) {
                    TRACE_FAILED.log("wire trace of {} failed", id, e);
                }
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        // every frame is written as one buffer, header first; an empty one is the outbox's recount
        if (msg instanceof ByteBuf b && b.readableBytes() >= Packet.HEADER_SIZE) {
            ConnectionInfo info = connection.info();
            int at = b.readerIndex();
            int type = b.getInt(at + 4);
            if (info != null && observers != null) {
                observers.packetSent(info, typeName(type), b.readableBytes());
            }
            if (trace != null) {
                try {
                    trace.packet(id, local, remote, WireFormat.Direction.SENT, b.getIntLE(at), type,
                            b.slice(at + Packet.HEADER_SIZE, b.readableBytes() - Packet.HEADER_SIZE), info == null,
                            calls);
                } catch (RuntimeException e) {
                    TRACE_FAILED.log("wire trace of {} failed", id, e);
                }
            }
        }
        ctx.write(msg, promise);
    }

    /** A type's name; the common ones without making a string per packet. */
    /** The type as observers are told it: one of a fixed set of names, whatever a peer sends (meters are made of it). */
    private static String typeName(int type) {
        return PacketType.of(type).name();
    }

    /** The handshake completed. */
    void opened(ConnectionInfo info) {
        event("handshake ok, " + (info.peerIsJava() ? "java" : "python") + " peer");
    }

    /** The connection ended: before it opened, its handshake failed for {@code handshakeFailure}. */
    void ended(boolean wasOpen, String handshakeFailure, Throwable reason) {
        event(wasOpen ? "closed: " + PeerLog.describe(reason) : "handshake failed: " + handshakeFailure);
    }

    private void event(String note) {
        if (trace != null) {
            try {
                trace.event(id, local, remote, note);
            } catch (RuntimeException e) {
                TRACE_FAILED.log("wire trace of {} failed", id, e);
            }
        }
    }
}
