package kaa.rpc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the byte stream into {@link Packet}s. Until the handshake completes a
 * frame may carry at most {@link #HANDSHAKE_LIMIT} bytes in all, as in the
 * original; afterwards the configured maximum frame size applies. A frame over
 * the limit is refused from its header alone, before its payload is buffered.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    /** What may be buffered before the handshake completes (header included). */
    public static final int HANDSHAKE_LIMIT = 1024;
    private static final int LARGE = 64 * 1024;

    private final long maxPayload;
    private final ReadLimit reads;
    private final java.util.function.BooleanSupplier paused;
    private boolean open;

    /**
     * @param paused while true, no further frame is handed on: frames already
     *     read wait in the buffer (see {@link Session#updateReading})
     */
    FrameDecoder(long maxPayload, ReadLimit reads, java.util.function.BooleanSupplier paused) {
        this.maxPayload = maxPayload;
        this.reads = reads;
        this.paused = paused;
        setCumulator(FrameDecoder::cumulate);
    }

    /**
     * A large frame arrives in many reads: gathering them as components of a
     * composite buffer, instead of copying each into a growing one, saves
     * copies of the whole payload (bulk echo went from 220 to 360 MiB/s). Small
     * frames keep the plain merge, which reads faster.
     */
    private static ByteBuf cumulate(io.netty.buffer.ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        if (cumulation instanceof io.netty.buffer.CompositeByteBuf
                || cumulation.readableBytes() + in.readableBytes() >= LARGE) {
            return COMPOSITE_CUMULATOR.cumulate(alloc, cumulation, in);
        }
        return MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
    }

    public FrameDecoder(long maxPayload) {
        this(maxPayload, new ReadLimit(), () -> false);
    }

    /** Called on the event loop when the handshake succeeded. */
    void opened() {
        open = true;
        reads.opened();
    }

    // ByteToMessageDecoder hands each decoded packet on before it decodes the
    // next, so the handshake handler has seen RESP and called opened() before
    // the frame after it is measured against the limit.
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < Packet.HEADER_SIZE || open && paused.getAsBoolean()) {
            return;
        }
        int start = in.readerIndex();
        long length = in.getUnsignedIntLE(start + 8);
        if (!open && length > HANDSHAKE_LIMIT - Packet.HEADER_SIZE) {
            throw new TooLongFrameException("peer sent a " + length + "-byte frame before the handshake "
                    + "completed; at most " + HANDSHAKE_LIMIT + " bytes are accepted before authentication");
        }
        if (open && length > maxPayload) {
            throw new TooLongFrameException("peer sent a frame of " + length + " bytes, over the limit of "
                    + maxPayload + " bytes (maxFrameSize)");
        }
        if (in.readableBytes() < Packet.HEADER_SIZE + length) {
            return;
        }
        int seq = in.getIntLE(start);
        int type = in.getInt(start + 4);
        in.skipBytes(Packet.HEADER_SIZE);
        out.add(new Packet(seq, type, in.readRetainedSlice((int) length)));
    }
}
