package kaa.rpc.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import kaa.rpc.internal.frame.Packet;
import org.junit.jupiter.api.Test;

/** A CALH a hostile peer makes: its header names are what the trace shows, so they must keep the line's bounds. */
class WireFormatHostileTest {

    private static WireFormat.Line line(int type, byte[] payload) {
        return WireFormat.packet(0, "c9", "here", "there", WireFormat.Direction.RECEIVED, 1, type,
                Unpooled.wrappedBuffer(payload), payload.length, false);
    }

    /** A protocol-2 pickle of {@code (command, (), {}, {key: 'v', ...})}, the keys' pickles given. */
    private static byte[] calh(byte[]... keys) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        p.write('(');
        unicode(p, "echo");
        p.write(')');
        p.write('}');
        p.write('}');
        p.write('(');
        for (byte[] k : keys) {
            p.writeBytes(k);
            unicode(p, "v");
        }
        p.write('u'); // SETITEMS
        p.write('t');
        p.write('.');
        return p.toByteArray();
    }

    private static void unicode(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X');
        ByteBuf n = Unpooled.buffer(4).writeIntLE(b.length);
        p.write(n.getByte(0));
        p.write(n.getByte(1));
        p.write(n.getByte(2));
        p.write(n.getByte(3));
        p.writeBytes(b);
    }

    private static byte[] key(String s) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        unicode(p, s);
        return p.toByteArray();
    }

    @Test
    void headerNamesCannotBreakTheLineNorWriteTerminalEscapes() {
        WireFormat.Line l = line(Packet.CALH, calh(key("a\n2026-12-01T20:42:07.123Z c1 x -> y CALL seq=1 cmd=forged"),
                key("\u001b[2J\u001b[31mred"), key("b\r\u2028c")));
        String text = WireFormat.text(l);
        assertThat(text).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u001b").doesNotContain("\u2028");
        assertThat(l.note()).startsWith("headers ");
    }

    @Test
    void aHugeIntegerAsAHeaderNameCostsNoMoreThanItsRendering() {
        int n = 1 << 19; // half a MiB of two's complement: millions of decimal digits
        ByteArrayOutputStream k = new ByteArrayOutputStream();
        k.write(0x8b); // LONG4
        ByteBuf len = Unpooled.buffer(4).writeIntLE(n);
        for (int i = 0; i < 4; i++) {
            k.write(len.getByte(i));
        }
        byte[] digits = new byte[n];
        java.util.Arrays.fill(digits, (byte) 0x5a);
        k.writeBytes(digits);
        byte[] payload = calh(k.toByteArray());
        long start = System.nanoTime();
        WireFormat.Line l = line(Packet.CALH, payload);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(WireFormat.text(l).length()).isLessThan(600);
        assertThat(millis).as("rendering a %d-byte CALH took %d ms", payload.length, millis).isLessThan(500);
    }

    @Test
    void manyHeaderNamesAreNotAllJoinedToBeCut() {
        byte[][] keys = new byte[30_000][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key("h" + i + "x".repeat(10));
        }
        WireFormat.Line l = line(Packet.CALH, calh(keys));
        assertThat(l.note()).startsWith("headers h0");
        assertThat(l.note().length()).isLessThanOrEqualTo(WireFormat.VALUE_CHARS + 20);
    }
}
