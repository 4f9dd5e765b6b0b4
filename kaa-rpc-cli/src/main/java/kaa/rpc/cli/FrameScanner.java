package kaa.rpc.cli;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.atomic.AtomicLong;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.wire.WireFormat;

/**
 * Cuts one direction of a relayed byte stream into frames, for the trace
 * only: it reads the bytes the relay passes on, never changes them, and
 * holds at most the payload of the frame being received, and only when it
 * is small enough to be decoded ({@link WireFormat#DECODE_UP_TO}) and the
 * proxy's shared {@link #budget decoding budget} has room for its bytes as
 * they arrive (never for what a header announces: a header alone holds
 * nothing, so a few connections cannot take the budget with headers). A frame
 * over the frame size limit ends the decoding of the stream (its bytes are
 * relayed all the same): after it, nothing says where a frame begins.
 * One per direction of a connection, used on its I/O thread only.
 */
final class FrameScanner {

    /** Told of each frame, and of the end of decoding. */
    interface Frames {
        /**
         * A whole frame of a {@code length}-byte payload: {@code payload}
         * holds all of it, or only its first {@link #HEAD} bytes when it was
         * not kept (too large, or no room in the budget).
         */
        void frame(int seq, int type, ByteBuf payload, long length);

        /** A frame of {@code length} bytes is over the limit: nothing more of this stream is decoded. */
        void stopped(long length);
    }

    /** What is kept of a payload that is not kept whole: enough for the command of a CALL. */
    static final int HEAD = 512;

    private final long maxFrameSize;
    /** Bytes all connections may hold for decoding at once: reserved as they arrive, given back when the frame is done. */
    private final AtomicLong budget;
    private final Frames frames;
    private final byte[] header = new byte[Packet.HEADER_SIZE];
    private int headerBytes;
    private long length;
    private long left;
    /** Whether this frame's payload is kept to be decoded: until the budget has no room for what arrives. */
    private boolean keeping;
    /** The payload kept so far (made when its first bytes come), or null. */
    private ByteBuf payload;
    /** The budget's bytes this frame holds: what arrived of it while it was kept. */
    private long reserved;
    /** The first bytes of a payload not kept whole (I/O thread; reused). */
    private final ByteBuf head = Unpooled.buffer(HEAD, HEAD);
    private boolean stopped;

    FrameScanner(long maxFrameSize, AtomicLong budget, Frames frames) {
        this.maxFrameSize = maxFrameSize;
        this.budget = budget;
        this.frames = frames;
    }

    /** Reads what {@code in} holds, leaving its indices as they are. */
    void feed(ByteBuf in) {
        int i = in.readerIndex();
        int end = in.writerIndex();
        while (i < end && !stopped) {
            if (headerBytes < Packet.HEADER_SIZE) {
                int n = Math.min(Packet.HEADER_SIZE - headerBytes, end - i);
                in.getBytes(i, header, headerBytes, n);
                i += n;
                headerBytes += n;
                if (headerBytes == Packet.HEADER_SIZE) {
                    begin();
                }
                continue;
            }
            int n = (int) Math.min(left, end - i);
            if (head.isWritable()) { // always: a frame let go halfway still shows its command
                head.writeBytes(in, i, Math.min(n, head.writableBytes()));
            }
            if (keeping && reserve(n)) {
                reserved += n;
                if (payload == null) {
                    payload = Unpooled.buffer((int) Math.min(length, 64 * 1024), (int) length); // grows as bytes come
                }
                payload.writeBytes(in, i, n);
            } else if (keeping) { // no room for more: what came is let go, and the frame is shown by its size
                keeping = false;
                letGo();
            }
            i += n;
            left -= n;
            if (left == 0) {
                finish();
            }
        }
    }

    private void begin() {
        length = Integer.toUnsignedLong(intLE(8));
        if (length > maxFrameSize) {
            stopped = true;
            frames.stopped(length);
            return;
        }
        left = length;
        head.clear();
        keeping = length > 0 && length <= WireFormat.DECODE_UP_TO;
        if (length == 0) {
            finish();
        }
    }

    private boolean reserve(long bytes) {
        while (true) {
            long free = budget.get();
            if (free < bytes) {
                return false;
            }
            if (budget.compareAndSet(free, free - bytes)) {
                return true;
            }
        }
    }

    private void finish() {
        headerBytes = 0;
        try {
            frames.frame(intLE(0), (header[4] & 0xff) << 24 | (header[5] & 0xff) << 16 | (header[6] & 0xff) << 8
                    | (header[7] & 0xff), keeping && payload != null ? payload : head, length);
        } finally {
            keeping = false;
            letGo();
        }
    }

    /** What is kept of this frame is released, and its bytes given back to the budget. */
    private void letGo() {
        if (payload != null) {
            payload.release();
            payload = null;
        }
        budget.addAndGet(reserved);
        reserved = 0;
    }

    /** The connection is gone: what was kept is let go. */
    void close() {
        stopped = true;
        keeping = false;
        letGo();
    }

    private int intLE(int at) {
        return (header[at] & 0xff) | (header[at + 1] & 0xff) << 8 | (header[at + 2] & 0xff) << 16
                | (header[at + 3] & 0xff) << 24;
    }
}
