package kaa.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.handshake.Handshake;
import kaa.rpc.internal.pickle.PickleReader;
import kaa.rpc.internal.pickle.PickleWriter;

/**
 * Frames and handshake messages as bytes, for tests that play a peer by hand
 * ({@link RawPeer}, {@link FakeServer}, and the command line's hostile
 * servers). Headers are written by the library's own {@link Packet#writeHeader}
 * and handshake answers by its own {@link Handshake}, so a test peer can only
 * break the protocol where it means to.
 */
public final class WireFrames {

    /** One frame as read off the wire. */
    public record Frame(int seq, String type, byte[] payload) {
        /** The payload unpickled. */
        public Object value() throws Exception {
            return PickleReader.load(payload);
        }
    }

    private WireFrames() {
    }

    /** A frame of {@code type} (four ASCII characters, any bytes a test likes) carrying {@code payload}. */
    public static byte[] frame(int seq, String type, byte[] payload) {
        return frame(seq, type, payload.length, payload);
    }

    /** The same, with a length field that says {@code declaredLength}, whatever follows it. */
    public static byte[] frame(int seq, String type, int declaredLength, byte[] payload) {
        ByteBuf b = Unpooled.buffer(Packet.HEADER_SIZE + payload.length);
        Packet.writeHeader(b, seq, typeCode(type), declaredLength);
        return bytes(b.writeBytes(payload));
    }

    /** A whole CALL frame, header and pickle, as this library writes it. */
    public static byte[] callFrame(int seq, String command, Object... args) {
        ByteBuf b = Unpooled.buffer();
        int header = b.writerIndex();
        Packet.writeHeader(b, seq, typeCode("CALL"), 0);
        PickleWriter.writeCall(b, command, args, Map.of());
        Packet.patchLength(b, header);
        return bytes(b);
    }

    /** {@code count} CALL frames of one command, seqs 1 to {@code count}, back to back: a pipeline in one write. */
    public static byte[] callFrames(int count, String command, Object... args) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int seq = 1; seq <= count; seq++) {
            all.writeBytes(callFrame(seq, command, args));
        }
        return all.toByteArray();
    }

    /** Reads one frame, blocking (the stream's own time-out bounds the wait). */
    public static Frame read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[Packet.HEADER_SIZE];
        data.readFully(header);
        byte[] payload = new byte[lengthOf(header)];
        data.readFully(payload);
        return frameOf(header, payload);
    }

    /** The payload length a 12-byte header declares. */
    public static int lengthOf(byte[] header) {
        return Unpooled.wrappedBuffer(header).getIntLE(8);
    }

    /** The frame a header and its payload make. */
    public static Frame frameOf(byte[] header, byte[] payload) {
        return new Frame(Unpooled.wrappedBuffer(header).getIntLE(0),
                new String(header, 4, 4, StandardCharsets.US_ASCII), payload);
    }

    /** A server's AUTH frame: its {@code challenge}, no answer. */
    public static byte[] serverChallenge(byte[] challenge) {
        return frame(0, "AUTH", Handshake.payload(challenge, Handshake.zero(), Handshake.zero()));
    }

    /** A client's RESP frame answering the challenge in {@code auth} (an AUTH payload) with {@code secret}, challenging nothing. */
    public static byte[] clientAnswer(byte[] auth, String secret) {
        return clientAnswer(auth, secret, Handshake.zero());
    }

    /**
     * The same, challenging the server with {@code challenge}: one of
     * {@link Handshake#challenge()} says the client is of this library, and
     * the server then sends a RESP of its own.
     */
    public static byte[] clientAnswer(byte[] auth, String secret, byte[] challenge) {
        byte[] salt = Handshake.random();
        // between two peers of this library, an answer covers both challenges
        byte[] answered = Handshake.answered(Arrays.copyOf(auth, 20), challenge);
        byte[] answer = Handshake.answer(secret.getBytes(StandardCharsets.UTF_8), answered, salt);
        return frame(0, "RESP", Handshake.payload(challenge, answer, salt));
    }

    /** A server's RESP frame answering the client's challenge in {@code resp} (a RESP payload) with {@code secret}. */
    public static byte[] serverAnswer(byte[] resp, String secret) {
        byte[] salt = Handshake.random();
        byte[] answer = Handshake.answer(secret.getBytes(StandardCharsets.UTF_8), Arrays.copyOf(resp, 20), salt);
        return frame(0, "RESP", Handshake.payload(Handshake.zero(), answer, salt));
    }

    private static int typeCode(String type) {
        byte[] b = type.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length != 4) {
            throw new IllegalArgumentException("a frame type is 4 bytes, not '" + type + "'");
        }
        return Unpooled.wrappedBuffer(b).getInt(0);
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }
}
