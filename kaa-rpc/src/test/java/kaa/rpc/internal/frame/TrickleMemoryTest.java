package kaa.rpc.internal.frame;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** What a frame still arriving holds is about what has arrived of it, however it is cut into reads. */
class TrickleMemoryTest {

    /**
     * A peer that sends a large frame a byte per TCP segment makes every read
     * a buffer of Netty's smallest read size (64 bytes) holding one byte. The
     * frame's buffer must not keep each of them, or it holds 64 times what
     * the receive budget reserved for it (more still on the heap, an object
     * or two per read) until the frame time-out.
     */
    @Test
    void aLargeFrameTrickledAByteAReadDoesNotKeepEveryReadsBuffer() {
        FrameDecoder frames = new FrameDecoder(16 << 20);
        EmbeddedChannel channel = new EmbeddedChannel(frames);
        frames.opened();
        ByteBuf start = Unpooled.buffer();
        Packet.writeHeader(start, 1, Packet.CALL, 1 << 20);
        start.writeZero(64 * 1024); // past the size at which reads are gathered rather than copied
        channel.writeInbound(start);

        UnpooledByteBufAllocator reads = new UnpooledByteBufAllocator(true);
        int trickled = 20_000;
        for (int i = 0; i < trickled; i++) {
            ByteBuf read = reads.directBuffer(64); // what a read of one byte is given
            read.writeByte(0);
            channel.writeInbound(read);
        }

        long held = reads.metric().usedDirectMemory();
        channel.finishAndReleaseAll();
        channel.close();
        assertThat(held).as("direct memory kept by the reads of %d trickled bytes", trickled)
                .isLessThan(4L * trickled);
    }
}
