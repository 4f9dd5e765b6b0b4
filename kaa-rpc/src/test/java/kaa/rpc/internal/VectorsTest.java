package kaa.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kaa.rpc.RemoteException;
import kaa.rpc.internal.frame.FrameDecoder;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.handshake.Handshake;
import kaa.rpc.internal.pickle.PickleReader;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.Python;
import kaa.rpc.internal.pickle.RemoteErrors;
import kaa.rpc.internal.value.Repr;
import org.junit.jupiter.api.Test;

/** Every packet of the captured sessions: framing, handshake arithmetic, and pickles both ways. */
class VectorsTest {

    private static final byte[] SEKRIT = "sekrit".getBytes(StandardCharsets.UTF_8);

    @Test
    void handshakeAnswersOfTheCapturedSessionRecompute() throws Exception {
        List<Vectors.Record> all = Vectors.load("kaa-session.jsonl");
        Vectors.Record auth = find(all, 1, "s2c", "AUTH");
        Vectors.Record clientResp = find(all, 1, "c2s", "RESP");
        Vectors.Record serverResp = find(all, 1, "s2c", "RESP");

        assertThat(auth.bytes("response")).isEqualTo(new byte[20]);
        assertThat(Handshake.answer(SEKRIT, auth.bytes("challenge"), clientResp.bytes("salt")))
                .isEqualTo(clientResp.bytes("response"));
        assertThat(serverResp.bytes("challenge")).isEqualTo(new byte[20]);
        assertThat(Handshake.answer(SEKRIT, clientResp.bytes("challenge"), serverResp.bytes("salt")))
                .isEqualTo(serverResp.bytes("response"));
        assertThat(Handshake.payload(clientResp.bytes("challenge"), clientResp.bytes("response"),
                clientResp.bytes("salt"))).isEqualTo(clientResp.payload());
    }

    @Test
    void ourChallengesAreMarkedAndPythonsAreNot() throws Exception {
        for (Vectors.Record r : Vectors.load("kaa-session.jsonl")) {
            if (r.type().equals("AUTH") || r.type().equals("RESP") && !Handshake.isZero(r.bytes("challenge"))) {
                assertThat(Handshake.isJavaPeer(r.bytes("challenge"))).as("python's challenge").isFalse();
            }
        }
        byte[] ours = Handshake.challenge();
        assertThat(Handshake.isJavaPeer(ours)).isTrue();
        assertThat(Arrays.copyOfRange(ours, 4, 20)).isNotEqualTo(
                Arrays.copyOfRange(Handshake.challenge(), 4, 20));
    }

    @Test
    void bytesGoRawOnlyToAJavaPeer() throws Exception {
        byte[] data = {0, 1, (byte) 0xff, 'x'};
        ByteBuf compatible = Unpooled.buffer();
        PickleWriter.write(compatible, data, false);
        ByteBuf raw = Unpooled.buffer();
        PickleWriter.write(raw, data, true);
        assertThat(compatible.getByte(2)).isEqualTo((byte) 'c'); // GLOBAL _codecs encode
        assertThat(raw.getByte(2)).isEqualTo((byte) 'B');        // BINBYTES
        assertThat((byte[]) PickleReader.load(compatible)).isEqualTo(data);
        assertThat((byte[]) PickleReader.load(raw)).isEqualTo(data);
    }

    @Test
    void wrongSecretOfTheSecondConnectionIsDetected() throws Exception {
        List<Vectors.Record> all = Vectors.load("kaa-session.jsonl");
        Vectors.Record auth = find(all, 2, "s2c", "AUTH");
        Vectors.Record resp = find(all, 2, "c2s", "RESP");
        byte[] challenge = auth.bytes("challenge");
        assertThat(Handshake.verify(SEKRIT, challenge, resp.bytes("salt"), resp.bytes("response"))).isFalse();
        assertThat(Handshake.verify("wrong".getBytes(StandardCharsets.UTF_8), challenge, resp.bytes("salt"),
                resp.bytes("response"))).isTrue();
    }

    @Test
    void everyCallPacketDecodesToWhatPythonSaw() throws Exception {
        int checked = 0;
        for (String file : List.of("kaa-session.jsonl", "python2-style.jsonl")) {
            for (Vectors.Record r : Vectors.load(file)) {
                if (r.type().equals("AUTH") || r.type().equals("RESP")) {
                    continue;
                }
                Object value = PickleReader.load(r.payload());
                assertThat(Repr.repr(value, Integer.MAX_VALUE - 1)).as("%s %s seq %s", file, r.type(), r.fields().get("seq"))
                        .isEqualTo(r.pythonRepr());
                checked++;
            }
        }
        assertThat(checked).isEqualTo(25);
    }

    @Test
    void decodedValuesReencodeToPicklesPythonReadsTheSame() throws Exception {
        List<byte[]> ours = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (String file : List.of("kaa-session.jsonl", "python2-style.jsonl")) {
            for (Vectors.Record r : Vectors.load(file)) {
                if (r.type().equals("CALL") || r.type().equals("RETN")) {
                    ByteBuf buf = Unpooled.buffer();
                    PickleWriter.write(buf, PickleReader.load(r.payload()));
                    byte[] bytes = new byte[buf.readableBytes()];
                    buf.readBytes(bytes);
                    ours.add(bytes);
                    expected.add(r.pythonRepr());
                }
            }
        }
        assertThat(Python.loadsRepr(ours)).isEqualTo(expected);
    }

    @Test
    void remoteTracebacksOfPython3AndPython2Read() throws Exception {
        Vectors.Record py3 = Vectors.load("kaa-session.jsonl").stream()
                .filter(r -> r.type().equals("EXCP") && r.number("seq") == 5).findFirst().orElseThrow();
        RemoteException e3 = RemoteErrors.fromPayload("fail", PickleReader.load(py3.payload()));
        assertThat(e3.remoteType()).isEqualTo("ValueError");
        assertThat(e3.remoteMessage()).isEqualTo("boom");
        assertThat(e3.frames()).containsExactly(
                new RemoteException.Frame("kaa/rpc.py", 486, "_handle_packet_after_auth",
                        "result = self._callbacks[function](*args, **kwargs)"),
                new RemoteException.Frame("server.py", 20, "fail", "raise ValueError(msg)"));
        assertThat(e3.getMessage()).isEqualTo("Exception during RPC call 'fail'; remote traceback follows:\n"
                + "  File \"kaa/rpc.py\", line 486, in _handle_packet_after_auth\n"
                + "    result = self._callbacks[function](*args, **kwargs)\n"
                + "  File \"server.py\", line 20, in fail\n"
                + "    raise ValueError(msg)\n"
                + "ValueError: boom");

        Vectors.Record py2 = Vectors.load("python2-style.jsonl").stream()
                .filter(r -> r.type().equals("EXCP")).findFirst().orElseThrow();
        RemoteException e2 = RemoteErrors.fromPayload("fail", PickleReader.load(py2.payload()));
        assertThat(e2.remoteType()).isEqualTo("ValueError");
        assertThat(e2.frames()).containsExactly(
                new RemoteException.Frame("server.py", 20, "fail", "raise ValueError(msg)"));

        Vectors.Record keyError = Vectors.load("kaa-session.jsonl").stream()
                .filter(r -> r.type().equals("EXCP") && r.number("seq") == 10).findFirst().orElseThrow();
        RemoteException missing = RemoteErrors.fromPayload("nope", PickleReader.load(keyError.payload()));
        assertThat(missing.remoteType()).isEqualTo("KeyError");
        assertThat(missing.remoteMessage()).isEqualTo("'nope'");
    }

    @Test
    void transcriptsFrameIntoTheCapturedPacketsWithTheCapturedHeaders() throws Exception {
        String txt = Files.readString(Vectors.dir().resolve("kaa-session.txt"));
        Matcher m = Pattern.compile("-- seq=(\\d+) type=(\\w+) len=(\\d+) header=([0-9a-f]+)\\s+payload=([0-9a-f]*)")
                .matcher(txt);
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(FrameLimits.DEFAULT_MAX_FRAME_SIZE));
        ((FrameDecoder) channel.pipeline().first()).opened();
        ByteBuf stream = Unpooled.buffer();
        List<String> expected = new ArrayList<>();
        while (m.find()) {
            ByteBuf header = Unpooled.buffer();
            int seq = Integer.parseInt(m.group(1));
            Packet.writeHeader(header, seq, Packet.code(m.group(2)), Integer.parseInt(m.group(3)));
            assertThat(ByteBufUtil.hexDump(header)).isEqualTo(m.group(4));
            stream.writeBytes(header).writeBytes(HexFormat.of().parseHex(m.group(5)));
            header.release();
            expected.add(m.group(2) + " seq=" + seq + " len=" + m.group(3));
        }
        assertThat(expected).hasSize(27);
        // deliver in awkward pieces, as a socket may
        while (stream.isReadable()) {
            channel.writeInbound(stream.readRetainedSlice(Math.min(7, stream.readableBytes())));
        }
        stream.release();
        List<String> decoded = new ArrayList<>();
        Packet p;
        while ((p = channel.readInbound()) != null) {
            decoded.add(p.toString());
            p.payload().release();
        }
        assertThat(channel.finishAndReleaseAll()).as("nothing left in the channel").isFalse();
        assertThat(decoded).isEqualTo(expected);
    }

    private static Vectors.Record find(List<Vectors.Record> all, int connection, String direction, String type) {
        return all.stream().filter(r -> r.number("connection") == connection
                && r.text("direction").equals(direction) && r.type().equals(type)).findFirst().orElseThrow();
    }
}
