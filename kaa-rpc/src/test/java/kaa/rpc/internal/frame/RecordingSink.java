package kaa.rpc.internal.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.FrameSink;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.frame.ReadControl;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.PickleReader;
import kaa.rpc.internal.value.WorkBudget;

/** A connection without a socket: it records the frames sent to it, in order, and what reading was asked. */
public final class RecordingSink implements FrameSink, ReadControl {

    final List<ByteBuf> frames = new ArrayList<>();
    public volatile Dialect dialect = Dialect.PYTHON;
    public volatile boolean active = true;
    public volatile boolean closed;
    public int flushes;
    public int reconsidered;

    public RecordingSink(Dialect dialect) {
        this.dialect = dialect;
    }

    @Override
    public ByteBufAllocator alloc() {
        return UnpooledByteBufAllocator.DEFAULT;
    }

    @Override
    public synchronized void send(ByteBuf frame) {
        frames.add(frame);
    }

    @Override
    public synchronized void sendNow(ByteBuf frame) {
        frames.add(frame);
    }

    @Override
    public synchronized void flushNow() {
        flushes++;
    }

    /** The test's thread is the connection's I/O thread. */
    @Override
    public void execute(Runnable task) {
        task.run();
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public boolean acceptsMore() {
        return true;
    }

    @Override
    public boolean admits(int bytes) {
        return true;
    }

    @Override
    public long sendBudgetLimit() {
        return Long.MAX_VALUE;
    }

    @Override
    public void giveWay() {
        throw new AssertionError("no budget to give way in");
    }

    @Override
    public Dialect dialect() {
        return dialect;
    }

    @Override
    public String peer() {
        return "recorded peer";
    }

    @Override
    public SocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 1);
    }

    @Override
    public long unsentBytes() {
        return 0;
    }

    @Override
    public void close() {
        closed = true;
        active = false;
    }

    @Override
    public synchronized void reconsider(Reason reason) {
        reconsidered++;
    }

    @Override
    public boolean paused() {
        return false;
    }

    /** The recorded frames as "TYPE seq" strings, checking that each length field matches its frame. */
    public synchronized List<String> headers() {
        List<String> out = new ArrayList<>();
        for (ByteBuf b : frames) {
            int i = b.readerIndex();
            if (b.getUnsignedIntLE(i + 8) != b.readableBytes() - Packet.HEADER_SIZE) {
                throw new AssertionError("length field " + b.getUnsignedIntLE(i + 8) + " for a payload of "
                        + (b.readableBytes() - Packet.HEADER_SIZE) + " bytes");
            }
            out.add(Packet.typeName(b.getInt(i + 4)) + " " + Integer.toUnsignedString(b.getIntLE(i)));
        }
        return out;
    }

    /** The bytes of recorded frame {@code n}, header and payload. */
    public synchronized byte[] frameBytes(int n) {
        ByteBuf b = frames.get(n);
        return io.netty.buffer.ByteBufUtil.getBytes(b, b.readerIndex(), b.readableBytes());
    }

    /** The payload of recorded frame {@code n}, decoded. */
    public synchronized Object payload(int n) throws Exception {
        ByteBuf b = frames.get(n);
        ByteBuf slice = b.slice(b.readerIndex() + Packet.HEADER_SIZE, b.readableBytes() - Packet.HEADER_SIZE);
        return PickleReader.load(slice, WorkBudget.forPayload(slice.readableBytes()), DecimalLimits.DEFAULT);
    }

    /** Releases every recorded frame, checking that each was still owned once (not released by the sender). */
    public synchronized void releaseAll() {
        for (ByteBuf b : frames) {
            if (b.refCnt() != 1) {
                throw new AssertionError("a sent frame has refCnt " + b.refCnt());
            }
            b.release();
        }
        frames.clear();
    }
}
