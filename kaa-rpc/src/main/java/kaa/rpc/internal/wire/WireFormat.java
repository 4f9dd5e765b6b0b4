package kaa.rpc.internal.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.log.PeerLog;
import kaa.rpc.internal.pickle.MalformedPickleException;
import kaa.rpc.internal.pickle.PickleReader;
import kaa.rpc.internal.value.Repr;
import kaa.rpc.internal.value.WorkBudget;

/**
 * One packet of the wire trace as a line of text or of JSON: the one
 * rendering that the {@code kaa.rpc.wire} logger, {@code kaarpc --trace} and
 * {@code kaarpc proxy} share (docs/OBSERVABILITY.md describes it).
 *
 * <pre>
 * TIME CONN LOCAL ARROW REMOTE TYPE seq=SEQ [cmd=COMMAND] BYTESB [LATENCYms] [[NOTE]] [VALUE]
 * 2026-12-01T20:42:07.123Z c1 127.0.0.1:5000 &lt;- 127.0.0.1:41234 CALL seq=1 cmd=echo 45B ('hi',)
 * </pre>
 *
 * ARROW is {@code <-} for a packet received, {@code ->} for one sent, and
 * {@code --} for an event of the connection (its handshake's outcome, its
 * end), which has a note and no packet fields. BYTES counts the 12-byte
 * header and the payload. A payload is decoded only by the library's own
 * pickle reader, under the work budget its size allows, and only up to
 * {@link #DECODE_UP_TO} bytes; its rendering is cut at {@link #VALUE_CHARS}
 * characters. A handshake packet ({@code AUTH}, {@code RESP}, {@code DENY}),
 * or any packet before the handshake completed, is shown by type and size
 * only, never its bytes: recorded challenges and answers would let anyone
 * who reads the trace guess a weak secret offline.
 */
public final class WireFormat {

    /** The longest rendering of a payload's value. */
    public static final int VALUE_CHARS = 200;
    /** The longest command shown. */
    public static final int COMMAND_CHARS = 100;
    /** Payloads larger than this are not decoded for the trace (their size says what they are). */
    public static final int DECODE_UP_TO = 1 << 20;
    /** The bytes of a frame that a hex dump shows. */
    public static final int HEX_BYTES = 256;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    private WireFormat() {
    }

    /** Which way a packet went, as the line shows it. */
    public enum Direction {
        RECEIVED("<-", "in"), SENT("->", "out"), EVENT("--", "event");

        final String arrow;
        final String json;

        Direction(String arrow, String json) {
            this.arrow = arrow;
            this.json = json;
        }
    }

    /**
     * The fields of one line. {@code type}, {@code command}, {@code value},
     * {@code note} may be null, {@code latencyNanos} negative (none), and
     * {@code bytes} and {@code seq} negative for an event.
     */
    public record Line(long epochMillis, String connection, String local, String remote, Direction direction,
            String type, long seq, String command, long bytes, long latencyNanos, String note, String value) {

        /** This line with the latency of the answer it is (a proxy pairs it with its call). */
        public Line withLatency(long nanos) {
            return new Line(epochMillis, connection, local, remote, direction, type, seq, command, bytes, nanos, note,
                    value);
        }

        /** This line with {@code command} (an answer's, from the call it answers). */
        public Line withCommand(String command) {
            return new Line(epochMillis, connection, local, remote, direction, type, seq, command, bytes, latencyNanos,
                    note, value);
        }

        /** This line with {@code more} added to its note. */
        public Line withNote(String more) {
            return new Line(epochMillis, connection, local, remote, direction, type, seq, command, bytes, latencyNanos,
                    note == null ? more : note + "; " + more, value);
        }
    }

    /**
     * The line of one packet: {@code payload} holds its readable bytes
     * (not consumed), {@code payloadLength} how long the header says it is.
     * With {@code handshake}, or for a handshake type, nothing of the
     * payload is read. Never throws for what the payload holds.
     */
    public static Line packet(long epochMillis, String connection, String local, String remote, Direction direction,
            int seq, int type, ByteBuf payload, long payloadLength, boolean handshake) {
        String typeName = Packet.typeName(type);
        long bytes = Packet.HEADER_SIZE + payloadLength;
        long unsignedSeq = Integer.toUnsignedLong(seq);
        if (isHandshake(type, handshake)) {
            return new Line(epochMillis, connection, local, remote, direction, typeName, unsignedSeq, null, bytes, -1,
                    "handshake", null);
        }
        String command = null;
        String value = null;
        String note = null;
        if (payloadLength == 0) {
            value = null;
        } else if (!isCall(type) && type != Packet.RETN && type != Packet.EXCP) {
            note = "not decoded: an unknown type";
        } else if (payloadLength > DECODE_UP_TO || payload == null || payload.readableBytes() < payloadLength) {
            note = "not decoded: over " + DECODE_UP_TO + " bytes";
            String name = isCall(type) && payload != null ? peekCommand(payload) : null;
            command = name == null ? null : command(name);
        } else {
            try {
                Object decoded = PickleReader.load(payload, WorkBudget.forPayload(payloadLength));
                if (isCall(type)) {
                    Object[] call = decoded instanceof Object[] ? (Object[]) decoded : null;
                    if (call != null && call.length == (type == Packet.CALH ? 4 : 3) && call[0] instanceof CharSequence) {
                        command = command(call[0].toString());
                        value = Repr.repr(call[1], VALUE_CHARS);
                        if (call[2] instanceof Map && !((Map<?, ?>) call[2]).isEmpty()) {
                            value = Repr.truncate(value + " " + Repr.repr(call[2], VALUE_CHARS), VALUE_CHARS);
                        }
                        if (type == Packet.CALH) { // the headers' names: their values may be secrets (a token)
                            note = call[3] instanceof Map<?, ?> h ? "headers " + headerNames(h) : "malformed headers";
                        }
                    } else {
                        note = "not a call";
                        value = Repr.repr(decoded, VALUE_CHARS);
                    }
                } else if (type == Packet.EXCP && decoded instanceof Object[] e && e.length == 2) {
                    value = Repr.repr(e[0], VALUE_CHARS); // the exception; its traceback is long and says less
                } else if (type == Packet.EXCP && decoded instanceof List<?> e && e.size() == 2) {
                    value = Repr.repr(e.get(0), VALUE_CHARS);
                } else {
                    value = Repr.repr(decoded, VALUE_CHARS);
                }
            } catch (MalformedPickleException | RuntimeException | StackOverflowError e) {
                note = "undecodable: "
                        + PeerLog.oneLine(Repr.truncate(String.valueOf(e.getMessage()), VALUE_CHARS));
            }
        }
        return new Line(epochMillis, connection, local, remote, direction, typeName, unsignedSeq, command, bytes, -1,
                note, value == null ? null : PeerLog.oneLine(value));
    }

    /**
     * A CALH's header names as the note shows them: as many as
     * {@link #VALUE_CHARS} holds (the rest are not looked at), a name that is
     * not a string by its bounded repr, on one line.
     */
    static String headerNames(Map<?, ?> headers) {
        StringBuilder sb = new StringBuilder();
        for (Object name : headers.keySet()) {
            if (sb.length() > VALUE_CHARS) {
                break;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            int room = Math.max(0, VALUE_CHARS + 1 - sb.length());
            String s = name instanceof String t ? command(t) : Repr.repr(name, room);
            sb.append(s, 0, Math.min(s.length(), room));
        }
        return PeerLog.oneLine(sb.length() > VALUE_CHARS ? sb.substring(0, VALUE_CHARS) + "..." : sb.toString());
    }

    /** Whether a packet is a call: a CALL, or a CALH (a call with headers, between peers of this library). */
    public static boolean isCall(int type) {
        return type == Packet.CALL || type == Packet.CALH;
    }

    /** Whether a packet is shown by type and size alone: it is of the handshake, by its time or its type. */
    public static boolean isHandshake(int type, boolean beforeOpen) {
        return beforeOpen || type == Packet.AUTH || type == Packet.RESP || type == Packet.DENY;
    }

    /** A line for an event of the connection (its handshake's outcome, its end), said by {@code note}. */
    public static Line event(long epochMillis, String connection, String local, String remote, String note) {
        return new Line(epochMillis, connection, local, remote, Direction.EVENT, null, -1, null, -1, -1,
                PeerLog.oneLine(note), null);
    }

    /**
     * The command of a CALL from the first bytes of its pickle, without
     * decoding the rest: a protocol-2 pickle of a 3-tuple begins with its
     * first item, the command as a string (unicode from Python 3 and from
     * this library, a byte string from Python 2). Null when it does not.
     */
    static String peekCommand(ByteBuf payload) {
        int i = payload.readerIndex();
        int end = payload.writerIndex();
        if (end - i < 4 || (payload.getByte(i) & 0xff) != 0x80) {
            return null;
        }
        i += 2;
        if (payload.getByte(i) == '(') { // MARK, from a pickler that builds tuples with one
            i++;
        }
        int op = payload.getByte(i++) & 0xff;
        long n;
        if ((op == 'X' || op == 'T') && end - i >= 4) { // BINUNICODE, BINSTRING: 4-byte length
            n = payload.getUnsignedIntLE(i);
            i += 4;
        } else if ((op == 0x8c || op == 'U') && end - i >= 1) { // SHORT_BINUNICODE, SHORT_BINSTRING
            n = payload.getUnsignedByte(i++);
        } else {
            return null;
        }
        if (n > 4L * COMMAND_CHARS || n > end - i) {
            return null;
        }
        return payload.toString(i, (int) n, op == 'X' || op == 0x8c ? StandardCharsets.UTF_8
                : StandardCharsets.ISO_8859_1);
    }

    /** A command as shown: itself when it is a plain name, else its Python repr (quoted, escaped), cut short. */
    public static String command(String name) {
        if (!name.isEmpty() && name.length() <= COMMAND_CHARS && name.chars().allMatch(c -> c < 0x7f && c > 0x20
                && c != '"' && c != '\'' && c != '\\')) {
            return name;
        }
        return Repr.repr(name, COMMAND_CHARS);
    }

    /** The line as text (the format above). */
    public static String text(Line l) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(TIME.format(Instant.ofEpochMilli(l.epochMillis))).append(' ').append(l.connection).append(' ')
                .append(orDash(l.local)).append(' ').append(l.direction.arrow).append(' ').append(orDash(l.remote));
        if (l.type != null) {
            sb.append(' ').append(l.type).append(" seq=").append(l.seq);
        }
        if (l.command != null) {
            sb.append(" cmd=").append(l.command);
        }
        if (l.bytes >= 0) {
            sb.append(' ').append(l.bytes).append('B');
        }
        if (l.latencyNanos >= 0) {
            sb.append(' ').append(millis(l.latencyNanos)).append("ms");
        }
        if (l.note != null) {
            sb.append(" [").append(l.note).append(']');
        }
        if (l.value != null) {
            sb.append(' ').append(l.value);
        }
        return sb.toString();
    }

    /**
     * The line as one JSON object: {@code time}, {@code conn}, {@code local},
     * {@code remote}, {@code dir} ({@code "in"}, {@code "out"} or
     * {@code "event"}), then those the line has: {@code type}, {@code seq},
     * {@code command}, {@code bytes}, {@code latency_ms}, {@code note},
     * {@code value}.
     */
    public static String json(Line l) {
        StringBuilder sb = new StringBuilder(200).append('{');
        field(sb, "time", TIME.format(Instant.ofEpochMilli(l.epochMillis)));
        field(sb.append(','), "conn", l.connection);
        field(sb.append(','), "local", l.local);
        field(sb.append(','), "remote", l.remote);
        field(sb.append(','), "dir", l.direction.json);
        if (l.type != null) {
            field(sb.append(','), "type", l.type);
            sb.append(",\"seq\":").append(l.seq);
        }
        if (l.command != null) {
            field(sb.append(','), "command", l.command);
        }
        if (l.bytes >= 0) {
            sb.append(",\"bytes\":").append(l.bytes);
        }
        if (l.latencyNanos >= 0) {
            sb.append(",\"latency_ms\":").append(millis(l.latencyNanos));
        }
        if (l.note != null) {
            field(sb.append(','), "note", l.note);
        }
        if (l.value != null) {
            field(sb.append(','), "value", l.value);
        }
        return sb.append('}').toString();
    }

    /**
     * The first {@link #HEX_BYTES} bytes of a frame in hexadecimal (its
     * header, then its payload), then how many more there are: for the trace
     * at its finest level, never for a handshake packet. A CALH shows its
     * header only, as its headers' values are never shown.
     */
    public static String hex(int seq, int type, ByteBuf payload) {
        int n = payload.readableBytes();
        byte[] header = new byte[Packet.HEADER_SIZE];
        ByteBuf h = Unpooled.wrappedBuffer(header).clear();
        Packet.writeHeader(h, seq, type, n);
        // a CALH's headers may hold secrets (a token), which its line shows by name only: its header alone
        int shown = type == Packet.CALH ? 0 : Math.min(n, HEX_BYTES - Packet.HEADER_SIZE);
        String dump = ByteBufUtil.hexDump(header) + ByteBufUtil.hexDump(payload, payload.readerIndex(), shown);
        return n > shown ? dump + " \u2026 " + (n - shown) + " more bytes" : dump;
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append('"').append(name).append("\":");
        if (value == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
