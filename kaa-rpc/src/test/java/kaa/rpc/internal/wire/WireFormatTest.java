package kaa.rpc.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.SendPolicy;
import kaa.rpc.internal.value.PyObject;
import kaa.rpc.WireFrames;
import org.junit.jupiter.api.Test;

/** One packet's line: what is decoded, what is not, and that a peer's text never breaks the line. */
class WireFormatTest {

    private static WireFormat.Line line(byte[] frame, boolean handshake) {
        ByteBuf b = Unpooled.wrappedBuffer(frame);
        return WireFormat.packet(0, "c9", "here", "there", WireFormat.Direction.RECEIVED, b.getIntLE(0), b.getInt(4),
                b.slice(12, frame.length - 12), frame.length - 12, handshake);
    }

    @Test
    void aCallShowsItsCommandAndArgumentsOnOneLine() {
        WireFormat.Line l = line(WireFrames.callFrame(7, "echo", "a\nb", 2), false);
        assertThat(l.command()).isEqualTo("echo");
        assertThat(l.seq()).isEqualTo(7);
        assertThat(WireFormat.text(l)).isEqualTo("1970-01-01T00:00:00.000Z c9 here <- there CALL seq=7 cmd=echo "
                + l.bytes() + "B ('a\\nb', 2)");
        assertThat(WireFormat.json(l)).isEqualTo("{\"time\":\"1970-01-01T00:00:00.000Z\",\"conn\":\"c9\","
                + "\"local\":\"here\",\"remote\":\"there\",\"dir\":\"in\",\"type\":\"CALL\",\"seq\":7,"
                + "\"command\":\"echo\",\"bytes\":" + l.bytes() + ",\"value\":\"('a\\\\nb', 2)\"}");
    }

    @Test
    void aCallWithHeadersShowsItsCommandAndTheHeadersNamesButNotTheirValues() {
        ByteBuf b = Unpooled.buffer();
        Packet.writeHeader(b, 4, Packet.CALH, 0);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        headers.put("authorization", "secret-token");
        PickleWriter.writeCall(b, "echo", new Object[] {"x"}, Map.of(), headers, true, SendPolicy.DEFAULT);
        Packet.patchLength(b, 0);
        WireFormat.Line l = line(ByteBufUtil.getBytes(b), false);
        assertThat(l.type()).isEqualTo("CALH");
        assertThat(l.command()).isEqualTo("echo");
        assertThat(l.note()).isEqualTo("headers traceparent,authorization");
        assertThat(WireFormat.text(l)).doesNotContain("secret-token").doesNotContain("0af76519");
        String dump = WireFormat.hex(4, Packet.CALH, b.slice(Packet.HEADER_SIZE, b.readableBytes() - Packet.HEADER_SIZE));
        assertThat(dump).as("the hex dump of a CALH is its header's")
                .startsWith(ByteBufUtil.hexDump(b, 0, Packet.HEADER_SIZE))
                .doesNotContain(ByteBufUtil.hexDump("secret-token".getBytes(StandardCharsets.US_ASCII)))
                .endsWith((b.readableBytes() - Packet.HEADER_SIZE) + " more bytes");
        // a CALH too large to decode still shows its command
        ByteBuf big = Unpooled.buffer();
        Packet.writeHeader(big, 5, Packet.CALH, 0);
        PickleWriter.writeCall(big, "bulk", new Object[] {"y".repeat(2 << 20)}, Map.of(), headers, true,
                SendPolicy.DEFAULT);
        Packet.patchLength(big, 0);
        assertThat(line(ByteBufUtil.getBytes(big), false).command()).isEqualTo("bulk");
    }

    @Test
    void aCommandThatIsNotANameIsQuotedAndEscaped() {
        WireFormat.Line l = line(WireFrames.callFrame(1, "evil\r\nINFO forged line", 1), false);
        assertThat(l.command()).isEqualTo("'evil\\r\\nINFO forged line'");
        assertThat(WireFormat.text(l)).doesNotContain("\n").doesNotContain("\r");
        assertThat(WireFormat.json(l)).doesNotContain("\n");
    }

    @Test
    void aHandshakePacketOrOneBeforeTheHandshakeShowsNoPayload() {
        byte[] secretish = new byte[60];
        secretish[0] = (byte) 0xab;
        WireFormat.Line auth = line(WireFrames.frame(0, "AUTH", secretish), false);
        assertThat(WireFormat.text(auth)).endsWith("AUTH seq=0 72B [handshake]");
        WireFormat.Line early = line(WireFrames.callFrame(1, "echo", "x"), true);
        assertThat(early.value()).isNull();
        assertThat(early.command()).isNull();
        assertThat(early.note()).isEqualTo("handshake");
    }

    @Test
    void whatCannotBeDecodedIsSaidSo() {
        WireFormat.Line junk = line(WireFrames.frame(3, "RETN", "garbage".getBytes(StandardCharsets.US_ASCII)), false);
        assertThat(junk.note()).startsWith("undecodable: ");
        assertThat(junk.value()).isNull();
        WireFormat.Line unknown = line(WireFrames.frame(3, "\u0000ABC", new byte[] {1, 2}), false);
        assertThat(unknown.type()).isEqualTo("\\x00ABC");
        assertThat(unknown.note()).isEqualTo("not decoded: an unknown type");
        WireFormat.Line empty = line(WireFrames.frame(3, "CNCL", new byte[0]), false);
        assertThat(WireFormat.text(empty)).endsWith("CNCL seq=3 12B");
    }

    @Test
    void aLargeCallIsNotDecodedButItsCommandIsReadFromItsFirstBytes() {
        WireFormat.Line big = line(WireFrames.callFrame(2, "upload", "x".repeat(WireFormat.DECODE_UP_TO)), false);
        assertThat(big.note()).isEqualTo("not decoded: over " + WireFormat.DECODE_UP_TO + " bytes");
        assertThat(big.command()).isEqualTo("upload");
        assertThat(WireFormat.text(big).length()).isLessThan(200);
        // a Python 2 peer's command: a byte string
        ByteBuf py2 = Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 2, 'U', 3, 'a', 'd', 'd', 'K', 1});
        assertThat(WireFormat.peekCommand(py2)).isEqualTo("add");
        ByteBuf lying = Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, 0, 0, 'a'});
        assertThat(WireFormat.peekCommand(lying)).isNull();
    }

    @Test
    void aLongValueIsCutAndAnAnswerShowsItsLatencyAndCommand() {
        WireFormat.Line l = line(WireFrames.callFrame(1, "echo", "y".repeat(10_000)), false)
                .withLatency(1_234_567);
        assertThat(l.value()).hasSizeLessThanOrEqualTo(WireFormat.VALUE_CHARS).endsWith("...");
        assertThat(WireFormat.text(l)).contains(" 1.235ms ");
        assertThat(WireFormat.json(l)).contains("\"latency_ms\":1.235");
    }

    @Test
    void anEventIsOneLineOfJsonWhateverItsNoteHolds() {
        WireFormat.Line e = WireFormat.event(0, "c1", null, "x", "closed: \"quoted\" \u0001 \u2028 end");
        assertThat(WireFormat.text(e)).isEqualTo("1970-01-01T00:00:00.000Z c1 - -- x [closed: \"quoted\"     end]");
        assertThat(WireFormat.json(e)).isEqualTo("{\"time\":\"1970-01-01T00:00:00.000Z\",\"conn\":\"c1\","
                + "\"local\":null,\"remote\":\"x\",\"dir\":\"event\",\"note\":\"closed: \\\"quoted\\\"     end\"}");
    }

    /** A frame of {@code type} whose payload is {@code value}, pickled as for a Python peer. */
    private static byte[] frameOf(int seq, String type, Object value) {
        ByteBuf b = Unpooled.buffer();
        PickleWriter.write(b, value);
        byte[] payload = ByteBufUtil.getBytes(b);
        b.release();
        return WireFrames.frame(seq, type, payload);
    }

    @Test
    void anAnswerShowsItsValueAndAnExceptionItsExceptionButNotItsTraceback() {
        assertThat(line(frameOf(4, "RETN", List.of(1, "two")), false).value()).isEqualTo("[1, 'two']");
        PyObject error = new PyObject("exceptions", "ValueError", new Object[] {"bad"});
        Object[] stack = {new Object[] {"far.py", 9, "f", "raise ValueError('bad')"}};
        for (Object excp : new Object[] {new Object[] {error, List.of(stack)}, List.of(error, List.of(stack))}) {
            WireFormat.Line l = line(frameOf(4, "EXCP", excp), false);
            assertThat(l.value()).isEqualTo("ValueError('bad')");
            assertThat(WireFormat.text(l)).doesNotContain("far.py");
        }
        // an EXCP that is no (exception, traceback) pair is shown whole
        assertThat(line(frameOf(4, "EXCP", "only text"), false).value()).isEqualTo("'only text'");
    }

    @Test
    void aCallsKeywordArgumentsFollowItsArguments() {
        WireFormat.Line l = line(frameOf(5, "CALL", new Object[] {"echo", new Object[] {1}, Map.of("k", "v")}), false);
        assertThat(l.command()).isEqualTo("echo");
        assertThat(l.value()).isEqualTo("(1,) {'k': 'v'}");
    }

    @Test
    void aCallThatIsNoCallIsShownAsWhatItIs() {
        for (Object notACall : new Object[] {"echo", new Object[] {"echo", new Object[0]},
                new Object[] {5, new Object[0], Map.of()}}) {
            WireFormat.Line l = line(frameOf(6, "CALL", notACall), false);
            assertThat(l.note()).isEqualTo("not a call");
            assertThat(l.command()).isNull();
            assertThat(l.value()).isNotNull();
        }
        WireFormat.Line headersNoMap = line(frameOf(6, "CALH", new Object[] {"echo", new Object[0], Map.of(), "h"}),
                false);
        assertThat(headersNoMap.command()).isEqualTo("echo");
        assertThat(headersNoMap.note()).isEqualTo("malformed headers");
        // a CALH of three parts is no call with headers
        assertThat(line(frameOf(6, "CALH", new Object[] {"echo", new Object[0], Map.of()}), false).note())
                .isEqualTo("not a call");
    }

    @Test
    void aLargeCallsCommandIsReadFromEachKindOfTextOrNotAtAll() {
        byte[] name = "run".getBytes(StandardCharsets.US_ASCII);
        for (int op : new int[] {'X', 'T'}) { // BINUNICODE and a Python 2 BINSTRING: 4-byte lengths
            ByteBuf b = Unpooled.buffer().writeByte(0x80).writeByte(2).writeByte('(').writeByte(op).writeIntLE(3)
                    .writeBytes(name);
            assertThat(WireFormat.peekCommand(b)).isEqualTo("run");
        }
        ByteBuf shortUnicode = Unpooled.buffer().writeByte(0x80).writeByte(4).writeByte(0x8c).writeByte(3)
                .writeBytes(name);
        assertThat(WireFormat.peekCommand(shortUnicode)).isEqualTo("run");
        // no protocol marker, an opcode that is no text, a length beyond the bytes, a name that is no name
        assertThat(WireFormat.peekCommand(Unpooled.wrappedBuffer(new byte[] {'(', 'X', 3, 0, 0, 0, 'r'}))).isNull();
        assertThat(WireFormat.peekCommand(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 2, 'K', 1, 'K', 2})))
                .isNull();
        assertThat(WireFormat.peekCommand(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 2, 'U', 9, 'a'}))).isNull();
        assertThat(WireFormat.peekCommand(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 2}))).isNull();
        String shown = WireFormat.peekCommand(Unpooled.buffer().writeByte(0x80).writeByte(2).writeByte('U')
                .writeByte(3).writeBytes(new byte[] {'a', 0x1b, 'b'}));
        assertThat(shown).isEqualTo("a\u001bb");
    }
}
