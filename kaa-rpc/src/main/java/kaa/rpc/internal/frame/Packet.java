package kaa.rpc.internal.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * One frame of the kaa.rpc protocol: a 12-byte header (seq, type, length) and
 * its payload. The payload is a retained slice of the read buffer; whoever
 * consumes the packet releases it.
 */
public record Packet(int seq, int type, ByteBuf payload) {

    public static final int HEADER_SIZE = 12;

    public static final int AUTH = code("AUTH");
    public static final int RESP = code("RESP");
    public static final int CALL = code("CALL");
    public static final int RETN = code("RETN");
    public static final int EXCP = code("EXCP");
    /**
     * The caller no longer wants the answer to call {@code seq} (cancelled, or
     * past its deadline); empty. Our own extension, sent only to a peer that
     * is this library (known from its handshake): a Python peer never sees it,
     * and a peer that does not know it ignores it.
     */
    public static final int CNCL = code("CNCL");
    /**
     * A CALL with headers: its payload is {@code (command, args, kwargs,
     * headers)}, headers a dict of str to str (trace context, say). Our own
     * extension, sent only to a peer of this library from version 4 of its
     * handshake marker ({@link Dialect#readsHeaders}): a Python peer never
     * sees it.
     */
    public static final int CALH = code("CALH");
    /**
     * A server refuses the client's answer to its challenge: the secret is
     * wrong. Empty. Sent only to a client that is this library (known from its
     * challenge); the original protocol lets a server say nothing but hang up.
     * Unauthenticated, like everything before the server's answer: a client
     * reports it, and a retrying one tries again.
     */
    public static final int DENY = code("DENY");

    /** The four ASCII bytes of a packet type read as a big-endian int. */
    public static int code(String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    /** The type as text, with non-printable bytes escaped, for logs and errors. */
    public static String typeName(int type) {
        StringBuilder sb = new StringBuilder(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            int c = (type >>> shift) & 0xff;
            if (c >= 0x20 && c < 0x7f) {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }

    /** Frames up to this size come from the connection's allocator; larger ones from a pool that keeps them. */
    private static final int POOLED_FROM = 64 * 1024;
    /** Frames up to this size come from {@link LargeFrames}; larger ones from the default pool. */
    private static final int KEPT_UP_TO = 2 << 20;
    /**
     * Where frames of 64 KiB to 2 MiB come from: one arena of 16 MiB chunks,
     * no thread caches. Netty's pool frees a chunk that empties once it was
     * more than a quarter used (a 1 MiB frame in the default 4 MiB chunk),
     * and the next frame then gets a new chunk, zeroed (the connection's
     * adaptive allocator gives each large buffer a fresh block too): a cost
     * per bulk call that a chunk these frames never fill past an eighth does
     * not have. It is made on the first large frame and kept for the
     * process's life.
     */
    private static final class LargeFrames {
        static final PooledByteBufAllocator POOL = new PooledByteBufAllocator(true, 0, 1, 8192, 11, 0, 0, false);
    }

    /**
     * A buffer for a frame of about {@code size} bytes: small ones from
     * {@code alloc} (the connection's, quick for small sizes; null for the
     * default pool), large ones from pools that keep their memory for the
     * next frame.
     */
    public static ByteBuf buffer(ByteBufAllocator alloc, int size) {
        if (size < POOLED_FROM) {
            return alloc != null ? alloc.buffer(size) : PooledByteBufAllocator.DEFAULT.directBuffer(size);
        }
        return size <= KEPT_UP_TO ? LargeFrames.POOL.directBuffer(size) : PooledByteBufAllocator.DEFAULT.directBuffer(size);
    }

    /** Direct memory the pools of frames' buffers hand out now (the default allocator's too), for tests. */
    public static long directMemoryInUse() {
        long used = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() + LargeFrames.POOL.metric().usedDirectMemory();
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider m && ByteBufAllocator.DEFAULT
                != PooledByteBufAllocator.DEFAULT) {
            used += m.metric().usedDirectMemory();
        }
        return used;
    }

    /** Writes a header for a payload of {@code length} bytes. */
    public static void writeHeader(ByteBuf out, int seq, int type, int length) {
        out.writeIntLE(seq);
        out.writeInt(type);
        out.writeIntLE(length);
    }

    /** Patches the length field of a header written at {@code headerIndex}. */
    public static void patchLength(ByteBuf out, int headerIndex) {
        out.setIntLE(headerIndex + 8, out.writerIndex() - headerIndex - HEADER_SIZE);
    }

    /**
     * Refuses a frame whose payload is larger than {@code maxFrameSize}: a
     * peer with the same limit would close the connection on it, and the
     * sender would only see the connection closed.
     */
    public static void checkSize(ByteBuf frame, long maxFrameSize) {
        long payload = frame.readableBytes() - HEADER_SIZE;
        if (payload > maxFrameSize) {
            throw new IllegalArgumentException("it is " + payload + " bytes, over the frame limit of " + maxFrameSize
                    + " bytes (maxFrameSize; a peer with the same limit would close the connection)");
        }
    }

    @Override
    public String toString() {
        return typeName(type) + " seq=" + Integer.toUnsignedString(seq) + " len=" + payload.readableBytes();
    }
}
