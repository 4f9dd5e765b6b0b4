package kaa.rpc.internal.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import kaa.rpc.internal.frame.FrameDecoder;
import kaa.rpc.internal.frame.ReadGate;

/**
 * How much a connection reads at a time: at most {@link FrameDecoder#HANDSHAKE_LIMIT}
 * bytes until the handshake completes, as the original does, then Netty's
 * adaptive sizing. (Netty caches a channel's read handle, so replacing the
 * allocator after the first read would have no effect: this one switches
 * inside its handle, at the start of a read loop.)
 */
@SuppressWarnings("deprecation") // Netty's interface still returns the deprecated Handle type
public final class ReadLimit implements RecvByteBufAllocator {

    /** The connection's gate, which records whether its handshake is done; set when its decoder is added. */
    private volatile ReadGate gate;

    /** The connection's decoder, which may lend the socket's reads the rest of a large frame; set with the gate. */
    private volatile FrameDecoder frames;

    /** Once {@code gate} says the handshake is done, reads are as large as Netty sees fit. */
    public void follow(ReadGate gate) {
        this.gate = gate;
    }

    /** Reads go where {@code frames} lends, while it receives a large frame ({@link FrameDecoder#lend}). */
    void lendTo(FrameDecoder frames) {
        this.frames = frames;
    }

    @Override
    public Handle newHandle() {
        return new Switching(new FixedRecvByteBufAllocator(FrameDecoder.HANDSHAKE_LIMIT).newHandle(),
                new AdaptiveRecvByteBufAllocator().newHandle());
    }

    private final class Switching implements ExtendedHandle {
        private final ExtendedHandle before;
        private final ExtendedHandle after;
        private ExtendedHandle current;

        Switching(Handle before, Handle after) {
            this.before = (ExtendedHandle) before;
            this.after = (ExtendedHandle) after;
            this.current = this.before;
        }

        @Override
        public void reset(ChannelConfig config) {
            ReadGate g = gate;
            current = g != null && g.isOpen() ? after : before;
            current.reset(config);
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            FrameDecoder f = frames;
            ByteBuf lent = f == null ? null : f.lend();
            return lent != null ? lent : current.allocate(alloc);
        }

        @Override
        public int guess() {
            return current.guess();
        }

        @Override
        public void incMessagesRead(int numMessages) {
            current.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            current.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
            return current.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            current.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return current.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return current.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return current.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            current.readComplete();
        }
    }
}
