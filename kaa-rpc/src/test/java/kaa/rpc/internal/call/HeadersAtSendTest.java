package kaa.rpc.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.frame.RecordingSink;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.SendPolicy;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** A call encoded for one peer and sent to another: its headers added or taken off, byte for byte. */
class HeadersAtSendTest {

    private static final Map<String, String> HEADERS = Map.of("traceparent", "00-abc-def-01", "ü", "☃");

    private static Object[] args() {
        List<Object> shared = List.of("a shared list", BigInteger.ONE.shiftLeft(300));
        return new Object[] {shared, shared, "ünïcode ☃ 𝄞", BigInteger.ONE.shiftLeft(200).negate(), Long.MAX_VALUE,
                1.5, null, Map.of("x", shared), "x".repeat(70_000)};
    }

    private static Map<String, Object> kwargs() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("k", List.of(1, 2));
        k.put("é", "𝄞".repeat(300));
        return k;
    }

    /** A frame at {@code offset} in its buffer (readerIndex there), with the headers' offset it was written with. */
    private static ByteBuf frame(int offset, int seq, boolean withHeaders, boolean javaPeer, int[] headersAt) {
        ByteBuf b = Unpooled.buffer();
        b.writeZero(offset).readerIndex(offset);
        Packet.writeHeader(b, seq, withHeaders ? Packet.CALH : Packet.CALL, 0);
        headersAt[0] = PickleWriter.writeCall(b, "echo", args(), kwargs(), withHeaders ? HEADERS : null, javaPeer,
                SendPolicy.DEFAULT);
        Packet.patchLength(b, offset);
        return b;
    }

    private static byte[] bytes(ByteBuf b) {
        return ByteBufUtil.getBytes(b, b.readerIndex(), b.readableBytes());
    }

    private static PendingCall.WithHeaders call(ByteBuf frame, int headersAt, long max) {
        return new PendingCall.WithHeaders("echo", Object.class, new RpcFuture<>(Runnable::run), frame, false, null,
                HEADERS, headersAt, max);
    }

    @Test
    void aCalhGoesToAPeerThatReadsNoHeadersAsTheCallItWouldHaveBeen() {
        for (int offset : new int[] {0, 13}) {
            int[] at = new int[1];
            ByteBuf calh = frame(offset, 7, true, true, at);
            ByteBuf expected = frame(0, 7, false, true, new int[1]);
            ByteBuf out = call(calh, at[0], Long.MAX_VALUE).frameFor(new RecordingSink(Dialect.JAVA_WITHOUT_HEADERS),
                    calh);
            assertThat(out).isNotSameAs(calh);
            assertThat(calh.refCnt()).isZero();
            assertThat(bytes(out)).as("at offset %d", offset).isEqualTo(bytes(expected));
            out.release();
            expected.release();
        }
    }

    @Test
    void aCallGoesToAPeerThatReadsHeadersAsTheCalhItWouldHaveBeen() {
        for (int offset : new int[] {0, 13}) {
            ByteBuf callFrame = frame(offset, 9, false, true, new int[1]);
            ByteBuf expected = frame(0, 9, true, true, new int[1]);
            ByteBuf out = call(callFrame, -1, Long.MAX_VALUE).frameFor(new RecordingSink(Dialect.JAVA), callFrame);
            assertThat(callFrame.refCnt()).isZero();
            assertThat(bytes(out)).as("at offset %d", offset).isEqualTo(bytes(expected));
            out.release();
            expected.release();
        }
    }

    @Test
    void aCalhOverTheFrameLimitGoesAsTheCallItIs() {
        ByteBuf callFrame = frame(0, 9, false, true, new int[1]);
        long limit = callFrame.readableBytes() - Packet.HEADER_SIZE; // the CALL fits, its CALH would not
        byte[] before = bytes(callFrame);
        ByteBuf out = call(callFrame, -1, limit).frameFor(new RecordingSink(Dialect.JAVA), callFrame);
        assertThat(out).isSameAs(callFrame);
        assertThat(out.refCnt()).isOne();
        assertThat(bytes(out)).isEqualTo(before);
        out.release();
    }

    /**
     * A CALH is encoded for a peer that is this library, with the pickle
     * shortcuts only it reads; on its way to a Python peer it loses its
     * headers but keeps those shortcuts (a byte[] as BINBYTES, say), so the
     * CALL is not the one that peer would have been sent.
     */
    @Test
    @Disabled("a call encoded for this library keeps its pickle shortcuts when sent to a Python peer: "
            + "its arguments would have to be encoded again")
    void aCalhGoesToAPythonPeerWithoutTheShortcutsOnlyThisLibraryReads() {
        ByteBuf calh = Unpooled.buffer();
        Packet.writeHeader(calh, 3, Packet.CALH, 0);
        int at = PickleWriter.writeCall(calh, "echo", new Object[] {new byte[] {1, 2, 3}}, Map.of(), HEADERS, true,
                SendPolicy.DEFAULT);
        Packet.patchLength(calh, 0);
        ByteBuf expected = Unpooled.buffer();
        Packet.writeHeader(expected, 3, Packet.CALL, 0);
        PickleWriter.writeCall(expected, "echo", new Object[] {new byte[] {1, 2, 3}}, Map.of(), null, false,
                SendPolicy.DEFAULT);
        Packet.patchLength(expected, 0);
        ByteBuf out = call(calh, at, Long.MAX_VALUE).frameFor(new RecordingSink(Dialect.PYTHON), calh);
        try {
            assertThat(bytes(out)).isEqualTo(bytes(expected));
        } finally {
            out.release();
            expected.release();
        }
    }
}
