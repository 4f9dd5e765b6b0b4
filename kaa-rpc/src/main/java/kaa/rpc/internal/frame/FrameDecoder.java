package kaa.rpc.internal.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ProtocolException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import kaa.rpc.internal.exec.Durations;
import kaa.rpc.internal.frame.ReadLimit;

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
 * <li>a frame must be complete within the frame time-out of its first byte,
 * counted on the {@link ReadGate}'s reading clock (time the connection is
 * not read, for whatever reason, does not count: those bytes are not late),
 * else the connection is closed: a peer cannot hold memory by trickling;</li>
 * <li>a reservation must be handed on within the frame time-out too, counted
 * on the peer's clock (only our own pauses stop it): a peer cannot hold the
 * shared budget by not reading our answers either.</li>
 * </ul>
 * Reading itself is switched by the {@link ReadGate}, which this decoder owns.
 */
public final class FrameDecoder extends ByteToMessageDecoder implements ReceiveBudget.Waiter {

    /** What may be buffered before the handshake completes (header included). */
    public static final int HANDSHAKE_LIMIT = 1024;
    /** Frames up to this size (header included) need no reservation from the receive budget. */
    public static final int SMALL_FRAME = 64 * 1024;
    private static final int LARGE = 64 * 1024;
    /**
     * Frames up to this size are received into a buffer of their size (see
     * {@link #receiveSized}), taken from a pool when the header arrives: a
     * peer that sends a header and stalls costs a pooled buffer, never a
     * fresh block zeroed for it. Larger ones gather as the bytes come.
     */
    private static final int SIZED_UP_TO = 4 << 20;
    /**
     * What a large frame's buffer holds at first, at least: a frame up to 1
     * MiB is received without growing it (each growth copies what arrived),
     * and a header alone holds no more than this, from a pool that keeps it.
     */
    private static final int SIZED_FIRST = 1 << 20;

    private final long maxPayload;
    private final ReadLimit reads;
    private final BooleanSupplier busy;
    private final BooleanSupplier peerNotReading;
    private final ReceiveBudget budget;
    /** Who this connection is to the budget: connections of one source share at most half of it. */
    private final Object source;
    private final long frameTimeoutNanos;

    private ChannelHandlerContext ctx;
    private ReadGate gate;
    /** Bytes reserved for the frame being received, or 0, and since when (on the peer's clock). */
    private long reservedBytes;
    private long reservedSince;
    /** Whether this connection waits in the budget's queue (and does not read meanwhile), and for how much. */
    private boolean waitingForBudget;
    private long requestedBytes;
    /** Whether the head of the buffer is a frame still arriving, and since when (on the reading clock). */
    private boolean partial;
    private long partialSince;
    private ScheduledFuture<?> deadline;
    /** A task to decode what waits in the buffer is queued: resuming never decodes from inside a decode. */
    private boolean resumeQueued;
    /**
     * A large frame being received into a buffer of its own (header
     * included), or null; while it is not complete, nothing else is buffered
     * (the socket's reads go into it, see {@link #lend}), and once complete it
     * is handed on before any frame after it. It grows to the frame's size as
     * the bytes come, to at most four times what arrived or
     * {@link #SIZED_FIRST}, whichever is more.
     */
    private ByteBuf sized;
    /** The size of the frame {@link #sized} receives, header included. */
    private int sizedFrame;
    /** The part of {@link #sized} last lent to the socket's read, to know it when it comes back; or null. */
    private ByteBuf lent;

    /**
     * @param busy whether the peer's calls fill their slots (no further frame is handed on meanwhile)
     * @param peerNotReading whether our answers to the peer pile up unread (the same)
     */
    public FrameDecoder(long maxPayload, ReadLimit reads, BooleanSupplier busy,
            BooleanSupplier peerNotReading, ReceiveBudget budget, Object source,
            Duration frameTimeout) {
        this.maxPayload = maxPayload;
        this.reads = reads;
        this.busy = busy;
        this.peerNotReading = peerNotReading;
        this.budget = budget;
        this.source = source;
        this.frameTimeoutNanos = Durations.nanos(frameTimeout);
        setCumulator(FrameDecoder::cumulate);
    }

    public FrameDecoder(long maxPayload) {
        this(maxPayload, new ReadLimit(), () -> false, () -> false, new ReceiveBudget(Long.MAX_VALUE), null,
                FrameLimits.DEFAULT_FRAME_TIMEOUT);
    }

    /**
     * A large frame arrives in many reads: gathering them as components of a
     * composite buffer, instead of copying each into a growing one, saves
     * copies of the whole payload (bulk echo went from 220 to 360 MiB/s). Small
     * frames keep the plain merge, which reads faster.
     */
    private static ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        if (cumulation instanceof CompositeByteBuf
                || cumulation.readableBytes() + in.readableBytes() >= LARGE) {
            ByteBuf c = COMPOSITE_CUMULATOR.cumulate(alloc, cumulation, in);
            if (c instanceof CompositeByteBuf) {
                mergeIfTrickled((CompositeByteBuf) c);
            }
            return c;
        }
        return MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
    }

    /**
     * A peer that trickles (a byte per segment) makes each read a buffer of
     * Netty's smallest read size holding almost nothing: kept as pieces, they
     * would hold many times the bytes that arrived, which is what the receive
     * budget reserved. Past 64 pieces averaging under 1 KiB, they are copied
     * into one; as that takes another 64 (or one per KiB held) tiny reads,
     * the copying costs at most about 1 KiB per read.
     */
    private static void mergeIfTrickled(CompositeByteBuf c) {
        int pieces = c.numComponents();
        if (pieces > 64 && c.readableBytes() < pieces * 1024L) {
            c.discardReadComponents();
            c.consolidate();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.gate = new ReadGate(ctx.channel(), busy, peerNotReading, this::clocksChanged);
        reads.follow(gate);
        reads.lendTo(this);
    }

    /** Called on the event loop when the handshake succeeded: its gate records it, for this decoder and the read limit. */
    public void opened() {
        gate.opened();
    }

    /** {@link #updateReading} for {@code ch}, from any thread. */
    public static void updateReading(Channel ch) {
        if (!ch.eventLoop().inEventLoop()) {
            ch.eventLoop().execute(() -> updateReading(ch));
            return;
        }
        FrameDecoder frames = ch.pipeline().get(FrameDecoder.class);
        if (frames != null) {
            frames.updateReading();
        }
    }

    /** Whether this connection's next frame waits for room in the receive budget. */
    boolean waitingForBudget() {
        return waitingForBudget;
    }

    /** Whether and why this connection is read; on the event loop. */
    public ReadGate gate() {
        return gate;
    }

    /**
     * The peer's calls or our answers changed: pause or resume reading to
     * match; on the event loop. Frames read meanwhile are decoded on resuming,
     * in a task of their own, since this may be called from inside a decode
     * (a direct call that finishes), which must not decode again within itself.
     */
    public void updateReading() {
        if (gate == null || ctx.isRemoved()) {
            return;
        }
        if (!gate.update() && !resumeQueued) {
            resumeQueued = true;
            ctx.executor().execute(this::resume);
        }
    }

    /**
     * Decodes the frames that wait in the buffer, after reading was paused;
     * on the event loop. The bytes enter here, not at the head of the
     * pipeline, where a TLS handler would swallow an empty read.
     */
    private void resume() {
        resumeQueued = false;
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
     * here it is off only because the {@link ReadGate} paused it, and asking
     * would read on without limit.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lent = null; // the read loop is over: a part lent and not filled (an empty read) was let go
        discardSomeReadBytes();
        ctx.fireChannelReadComplete();
    }

    // ByteToMessageDecoder hands each decoded packet on before it decodes the
    // next, so the handshake handler has seen RESP and called opened() before
    // the frame after it is measured against the limit.
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (sized != null || gate.update()) {
            return; // the large frame goes first; or the frame's clocks know whose time this is
        }
        if (in.readableBytes() < Packet.HEADER_SIZE) {
            incomplete(in);
            return;
        }
        int start = in.readerIndex();
        long length = in.getUnsignedIntLE(start + 8);
        boolean open = gate.isOpen();
        if (!open && length > HANDSHAKE_LIMIT - Packet.HEADER_SIZE) {
            throw new TooLongFrameException("peer sent a " + length + "-byte frame before the handshake "
                    + "completed; at most " + HANDSHAKE_LIMIT + " bytes are accepted before authentication");
        }
        if (open && length > maxPayload) {
            throw new TooLongFrameException("peer sent a frame of " + length + " bytes, over the limit of "
                    + maxPayload + " bytes (maxFrameSize)");
        }
        long frameBytes = Packet.HEADER_SIZE + length;
        if (frameBytes > Integer.MAX_VALUE) {
            throw new TooLongFrameException("peer sent a frame of " + length + " bytes, more than one buffer holds");
        }
        if (frameBytes > SMALL_FRAME && reservedBytes == 0) {
            if (!budget.reserve(frameBytes, source, this)) {
                waitingForBudget = true;
                requestedBytes = frameBytes;
                gate.waitForBudget(true);
                return;
            }
            reserved(frameBytes);
        }
        if (in.readableBytes() < frameBytes) {
            incomplete(in);
            if (frameBytes > SMALL_FRAME && frameBytes <= SIZED_UP_TO) {
                receiveSized(in, (int) frameBytes);
            }
            return;
        }
        int seq = in.getIntLE(start);
        int type = in.getInt(start + 4);
        in.skipBytes(Packet.HEADER_SIZE);
        out.add(new Packet(seq, type, in.readRetainedSlice((int) length)));
        partial = false;
        releaseReservation(); // the frame is out of the buffer; its slice is released once handled
    }

    /**
     * Goes on receiving the large frame at the head of {@code in} (which holds
     * nothing after it) into a buffer of the frame's size: reads then land
     * in it, instead of in pieces that a composite buffer gathers and the
     * decoding walks. Its reservation already counts its size.
     */
    private void receiveSized(ByteBuf in, int frameBytes) {
        sizedFrame = frameBytes;
        sized = Packet.buffer(null, (int) Math.min(frameBytes, Math.max(4L * in.readableBytes(), SIZED_FIRST)));
        sized.writeBytes(in);
    }

    /** Bytes of the large frame still to come. */
    private int sizedLeft() {
        return sizedFrame - sized.writerIndex();
    }

    /**
     * Room in the large frame's buffer for {@code n} more bytes: four times
     * as large (two copies for a 1 MiB frame), never past the frame's size.
     */
    private void sizedRoom(int n) {
        if (sized.writableBytes() < n) {
            sized.capacity((int) Math.min(sizedFrame, Math.max(4L * sized.capacity(), sized.writerIndex() + (long) n)));
        }
    }

    /**
     * Where the socket's next read should go, asked by the {@link ReadLimit}
     * before each read: the rest of the large frame being received, so that
     * the bytes arrive where they stay; or null for a buffer of the usual
     * size. Only while the socket's bytes come straight here (not under TLS,
     * whose handler before this one reads ciphertext).
     */
    ByteBuf lend() {
        if (sized == null || sizedLeft() == 0 || ctx.isRemoved() || ctx.pipeline().first() != this) {
            return null;
        }
        sizedRoom(1);
        // retained: the read owns the slice and releases it, even if this handler is removed meanwhile
        lent = sized.retainedSlice(sized.writerIndex(), Math.min(sized.writableBytes(), sizedLeft())).clear();
        return lent;
    }

    /**
     * Bytes for the large frame being received: those the socket read into
     * it in place, or any others copied into it; what follows the frame is
     * decoded as usual once the frame is handed on.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (sized == null || !(msg instanceof ByteBuf)) {
            super.channelRead(ctx, msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        if (in == lent) {
            lent = null;
            sized.writerIndex(sized.writerIndex() + in.readableBytes());
            in.skipBytes(in.readableBytes());
        } else {
            int n = Math.min(in.readableBytes(), sizedLeft());
            sizedRoom(n);
            in.readBytes(sized, n);
        }
        if (sizedLeft() == 0 && !gate.update()) {
            handOnSized(ctx);
        }
        if (in.isReadable() || sized == null) {
            super.channelRead(ctx, in); // what follows the frame, or what waited: decoded as usual
        } else {
            in.release();
        }
    }

    /** The large frame is complete and may be handed on: as a packet, before anything after it. */
    private void handOnSized(ChannelHandlerContext ctx) {
        ByteBuf frame = sized;
        sized = null;
        int seq = frame.getIntLE(0);
        int type = frame.getInt(4);
        Packet p = new Packet(seq, type, frame.retainedSlice(Packet.HEADER_SIZE, frame.readableBytes() - Packet.HEADER_SIZE));
        frame.release();
        partial = false;
        releaseReservation();
        ctx.fireChannelRead(p);
    }

    /** The head of the buffer is a frame not yet complete: its deadline runs. */
    private void incomplete(ByteBuf in) {
        if (!in.isReadable()) {
            partial = false;
            return;
        }
        if (!partial) {
            partial = true;
            partialSince = gate.readingClock();
            armDeadline(frameTimeoutNanos);
        }
    }

    private void reserved(long bytes) {
        reservedBytes = bytes;
        reservedSince = gate.peerClock();
        armDeadline(frameTimeoutNanos);
    }

    /** The gate paused or resumed reading: a deadline whose clock stood still is looked at again. */
    private void clocksChanged() {
        if (deadline == null && (partial || reservedBytes > 0) && ctx != null && !ctx.isRemoved()) {
            armDeadline(0); // in a task of its own: this may run inside a decode
        }
    }

    private void armDeadline(long inNanos) {
        if (deadline == null) {
            deadline = ctx.executor().schedule(this::checkDeadline, inNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Closes a connection whose frame took longer than the frame time-out to
     * arrive (on the reading clock), or that held its reservation longer (on
     * the peer's clock); otherwise looks again when the earlier could run out.
     */
    private void checkDeadline() {
        deadline = null;
        if (ctx.isRemoved()) {
            return;
        }
        long partialLeft = partial ? frameTimeoutNanos - (gate.readingClock() - partialSince) : Long.MAX_VALUE;
        long reservationLeft = reservedBytes > 0 ? frameTimeoutNanos - (gate.peerClock() - reservedSince)
                : Long.MAX_VALUE;
        String timeout = " within " + TimeUnit.NANOSECONDS.toMillis(frameTimeoutNanos) + " ms (frameTimeout); closing";
        ByteBuf buffered = sized != null ? sized : internalBuffer();
        if (partialLeft <= 0) {
            String have = buffered.readableBytes() >= Packet.HEADER_SIZE
                    ? (buffered.readableBytes() - Packet.HEADER_SIZE) + " of the "
                            + buffered.getUnsignedIntLE(buffered.readerIndex() + 8) + " bytes of a frame"
                    : "part of a frame header";
            fail(new ProtocolException("peer sent only " + have + timeout));
        } else if (reservationLeft <= 0) {
            fail(new ProtocolException("peer held " + reservedBytes + " bytes of the shared receive budget for a "
                    + "frame it did not let us receive" + (gate.pausedByPeer() ? " (it reads none of our answers)" : "")
                    + timeout));
        } else {
            // a clock that stands still is not polled: the gate's next change looks again (clocksChanged)
            long wait = Math.min(partial && !gate.paused() ? partialLeft : Long.MAX_VALUE,
                    reservedBytes > 0 && !gate.pausedByUs() ? reservationLeft : Long.MAX_VALUE);
            if (wait != Long.MAX_VALUE) {
                armDeadline(wait);
            }
        }
    }

    private void fail(ProtocolException e) {
        ctx.fireExceptionCaught(e);
        ctx.close();
    }

    /** From the budget, on any thread: the reservation this connection waited for is made. */
    @Override
    public void granted() {
        ChannelHandlerContext c = ctx;
        c.executor().execute(() -> {
            if (!waitingForBudget || c.isRemoved()) { // the connection went meanwhile
                budget.release(requestedBytes, source);
                return;
            }
            waitingForBudget = false;
            reserved(requestedBytes);
            if (!gate.waitForBudget(false)) {
                resume();
            }
        });
    }

    private void releaseReservation() {
        if (reservedBytes > 0) {
            long bytes = reservedBytes;
            reservedBytes = 0;
            budget.release(bytes, source);
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
        if (sized != null) {
            sized.release();
            sized = null;
        }
        lent = null;
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
