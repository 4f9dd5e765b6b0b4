package kaa.rpc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.net.ProtocolException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Splits the byte stream into {@link Packet}s, and bounds what a connection
 * may hold of a frame not yet complete:
 * <ul>
 * <li>until the handshake completes a frame may carry at most
 * {@link #HANDSHAKE_LIMIT} bytes in all, as in the original; afterwards the
 * configured maximum frame size applies, checked from the header alone,
 * before the payload is buffered;</li>
 * <li>a frame over {@link #SMALL_FRAME} bytes reserves its size from the
 * {@link ReceiveBudget} shared with other connections when its header
 * arrives; until the reservation is granted the connection is not read;</li>
 * <li>a frame must be complete within the frame time-out of its first byte
 * (time spent paused by us does not count), else the connection is closed:
 * a peer cannot hold memory, or a reservation, by trickling.</li>
 * </ul>
 */
public final class FrameDecoder extends ByteToMessageDecoder implements ReceiveBudget.Waiter {

    /** What may be buffered before the handshake completes (header included). */
    public static final int HANDSHAKE_LIMIT = 1024;
    /** Frames up to this size (header included) need no reservation from the receive budget. */
    public static final int SMALL_FRAME = 64 * 1024;
    private static final int LARGE = 64 * 1024;

    private final long maxPayload;
    private final ReadLimit reads;
    private final BooleanSupplier paused;
    private final ReceiveBudget budget;
    private final long frameTimeoutNanos;
    private boolean open;

    private ChannelHandlerContext ctx;
    /** Bytes reserved for the frame being received, or 0. */
    private long reservedBytes;
    /** Whether this connection waits in the budget's queue (and does not read meanwhile), and for how much. */
    private boolean waitingForBudget;
    private long requestedBytes;
    /** Whether the head of the buffer is a frame still arriving, and since when (the event loop's clock). */
    private boolean partial;
    private long partialSince;
    private io.netty.util.concurrent.ScheduledFuture<?> deadline;

    /**
     * @param paused while true, no further frame is handed on: frames already
     *     read wait in the buffer (see {@link Session#updateReading})
     */
    FrameDecoder(long maxPayload, ReadLimit reads, BooleanSupplier paused, ReceiveBudget budget,
            Duration frameTimeout) {
        this.maxPayload = maxPayload;
        this.reads = reads;
        this.paused = paused;
        this.budget = budget;
        this.frameTimeoutNanos = frameTimeout.toNanos();
        setCumulator(FrameDecoder::cumulate);
    }

    public FrameDecoder(long maxPayload) {
        this(maxPayload, new ReadLimit(), () -> false, new ReceiveBudget(Long.MAX_VALUE), Options.DEFAULT_FRAME_TIMEOUT);
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

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Called on the event loop when the handshake succeeded. */
    void opened() {
        open = true;
        reads.opened();
    }

    /** Whether this connection must not be read now: its next frame waits for room in the receive budget. */
    boolean waitingForBudget() {
        return waitingForBudget;
    }

    /**
     * Decodes the frames that wait in the buffer, after reading was paused;
     * on the event loop. The bytes enter here, not at the head of the
     * pipeline, where a TLS handler would swallow an empty read.
     */
    void resume() {
        if (ctx != null && !ctx.isRemoved()) {
            try {
                channelRead(ctx, Unpooled.EMPTY_BUFFER);
            } catch (Exception e) {
                ctx.fireExceptionCaught(e);
            }
        }
    }

    /**
     * Unlike Netty's decoder, never asks for more bytes when reading is off:
     * here it is off only because we paused it (calls saturated, or a frame
     * waiting for budget), and asking would read on without limit.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        discardSomeReadBytes();
        ctx.fireChannelReadComplete();
    }

    // ByteToMessageDecoder hands each decoded packet on before it decodes the
    // next, so the handshake handler has seen RESP and called opened() before
    // the frame after it is measured against the limit.
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (open && paused.getAsBoolean() || waitingForBudget) {
            partial = false; // our pause, not the peer's delay
            return;
        }
        if (in.readableBytes() < Packet.HEADER_SIZE) {
            incomplete(in);
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
        long frameBytes = Packet.HEADER_SIZE + length;
        if (frameBytes > SMALL_FRAME && reservedBytes == 0) {
            if (!budget.reserve(frameBytes, this)) {
                waitingForBudget = true;
                requestedBytes = frameBytes;
                partial = false;
                ctx.channel().config().setAutoRead(false);
                return;
            }
            reservedBytes = frameBytes;
        }
        if (in.readableBytes() < frameBytes) {
            incomplete(in);
            return;
        }
        int seq = in.getIntLE(start);
        int type = in.getInt(start + 4);
        in.skipBytes(Packet.HEADER_SIZE);
        out.add(new Packet(seq, type, in.readRetainedSlice((int) length)));
        partial = false;
        releaseReservation(); // the frame is out of the buffer; its slice is released once handled
    }

    /** The head of the buffer is a frame not yet complete: its deadline runs. */
    private void incomplete(ByteBuf in) {
        if (!in.isReadable()) {
            partial = false;
            return;
        }
        if (!partial) {
            partial = true;
            partialSince = ctx.executor().ticker().nanoTime();
            if (deadline == null) {
                deadline = ctx.executor().schedule(this::checkDeadline, frameTimeoutNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    private void checkDeadline() {
        deadline = null;
        if (!partial || ctx.isRemoved()) {
            return;
        }
        long late = ctx.executor().ticker().nanoTime() - partialSince - frameTimeoutNanos;
        if (late < 0) {
            deadline = ctx.executor().schedule(this::checkDeadline, -late, TimeUnit.NANOSECONDS);
            return;
        }
        ByteBuf buffered = internalBuffer();
        String have = buffered.readableBytes() >= Packet.HEADER_SIZE
                ? (buffered.readableBytes() - Packet.HEADER_SIZE) + " of the "
                        + buffered.getUnsignedIntLE(buffered.readerIndex() + 8) + " bytes of a frame"
                : "part of a frame header";
        ctx.fireExceptionCaught(new ProtocolException("peer sent only " + have + " within "
                + TimeUnit.NANOSECONDS.toMillis(frameTimeoutNanos) + " ms (frameTimeout); closing"));
        ctx.close();
    }

    /** From the budget, on any thread: the reservation this connection waited for is made. */
    @Override
    public void granted() {
        ChannelHandlerContext c = ctx;
        c.executor().execute(() -> {
            if (!waitingForBudget || c.isRemoved()) { // the connection went meanwhile
                budget.release(requestedBytes);
                return;
            }
            reservedBytes = requestedBytes;
            waitingForBudget = false;
            if (!paused.getAsBoolean()) {
                c.channel().config().setAutoRead(true);
            }
            resume();
        });
    }

    private void releaseReservation() {
        if (reservedBytes > 0) {
            long bytes = reservedBytes;
            reservedBytes = 0;
            budget.release(bytes);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (waitingForBudget) {
            budget.cancel(this); // if a grant raced this, granted() finds the handler removed and gives it back
        }
        waitingForBudget = false;
        releaseReservation();
        partial = false;
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
