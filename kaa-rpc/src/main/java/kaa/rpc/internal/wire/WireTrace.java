package kaa.rpc.internal.wire;

import io.netty.buffer.ByteBuf;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import kaa.rpc.ConnectionObserver;
import kaa.rpc.internal.frame.Packet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the wire trace of a peer's connections goes: the {@value #LOGGER}
 * logger (a line per packet at DEBUG, and at TRACE a hex dump of each
 * packet after the handshake), or lines handed to a consumer, as text or
 * JSON (the command line's {@code --trace}). Lines are rendered by
 * {@link WireFormat}. Thread-safe: the connections of a peer share one.
 *
 * <p>A trace of its own is given to a builder as an observer
 * ({@code builder.observer(WireTrace.to(...))}), the one way in without
 * another public option; the connections take it out of the observers as
 * their trace, and none of its observer methods (which do nothing) is called.
 */
public final class WireTrace implements ConnectionObserver {

    /** The logger of the wire trace. */
    public static final String LOGGER = "kaa.rpc.wire";

    /** Connections traced in this process, for their short ids. */
    private static final AtomicLong CONNECTIONS = new AtomicLong();

    private final Consumer<String> lines;
    /** Where hex dumps go, or null for none. */
    private final Consumer<String> hex;
    private final boolean json;

    private WireTrace(Consumer<String> lines, Consumer<String> hex, boolean json) {
        this.lines = lines;
        this.hex = hex;
        this.json = json;
    }

    /** The trace to the {@value #LOGGER} logger, or null when it is off (checked once, as a connection is set up). */
    public static WireTrace fromLogger() {
        return of(LoggerFactory.getLogger(LOGGER));
    }

    /** The trace to {@code log}, or null unless it is enabled for DEBUG; with hex dumps when for TRACE. */
    public static WireTrace of(Logger log) {
        if (!log.isDebugEnabled()) {
            return null;
        }
        return new WireTrace(log::debug, log.isTraceEnabled() ? log::trace : null, false);
    }

    /** The trace as lines of text, or of JSON, handed to {@code lines} (from I/O threads, one line at a time). */
    public static WireTrace to(Consumer<String> lines, boolean json) {
        return new WireTrace(lines, null, json);
    }

    /** The first trace among {@code observers}, or null. */
    public static WireTrace among(List<ConnectionObserver> observers) {
        for (ConnectionObserver o : observers) {
            if (o instanceof WireTrace t) {
                return t;
            }
        }
        return null;
    }

    /** A short id for a new connection: {@code c1}, {@code c2}, ... */
    public static String newConnectionId() {
        return "c" + CONNECTIONS.incrementAndGet();
    }

    /**
     * The calls of one connection whose answers have not been traced yet,
     * both ways, so that an answer's line names its call's command and
     * latency. At most {@value #MAX_PENDING} each way, the oldest forgotten
     * first. On the connection's I/O thread only.
     */
    public static final class Calls {
        static final int MAX_PENDING = 1024;

        private record Call(String command, long nanos) {
        }

        private final Map<Integer, Call> sent = bounded();
        private final Map<Integer, Call> received = bounded();

        private static Map<Integer, Call> bounded() {
            return new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Integer, Call> eldest) {
                    return size() > MAX_PENDING;
                }
            };
        }

        /** {@code line} as shown: an answer with its call's command and latency, if its call was traced. */
        WireFormat.Line pair(WireFormat.Line line, WireFormat.Direction direction, int seq, int type, long now) {
            if (WireFormat.isCall(type)) {
                Map<Integer, Call> calls = direction == WireFormat.Direction.SENT ? sent : received;
                calls.remove(seq); // a seq used again: the newer call is the one its answer pairs with
                if (line.command() != null) { // one not decoded pairs with nothing, not with an older call
                    calls.put(seq, new Call(line.command(), now));
                }
            } else if (type == Packet.RETN || type == Packet.EXCP) { // the answer goes the other way from its call
                Call call = (direction == WireFormat.Direction.RECEIVED ? sent : received).remove(seq);
                if (call != null) {
                    return line.withCommand(call.command()).withLatency(now - call.nanos());
                }
            }
            return line;
        }
    }

    /**
     * Traces one frame: {@code payload} holds its payload, {@code handshake}
     * says it belongs to the handshake (then it is shown by type and size alone);
     * {@code calls} pairs answers with the connection's calls (or null).
     */
    public void packet(String connection, String local, String remote, WireFormat.Direction direction, int seq,
            int type, ByteBuf payload, boolean handshake, Calls calls) {
        WireFormat.Line line = WireFormat.packet(System.currentTimeMillis(), connection, local, remote, direction, seq,
                type, payload, payload.readableBytes(), handshake);
        if (calls != null && !handshake) {
            line = calls.pair(line, direction, seq, type, System.nanoTime());
        }
        lines.accept(json ? WireFormat.json(line) : WireFormat.text(line));
        if (hex != null && !WireFormat.isHandshake(type, handshake)) {
            hex.accept(connection + " " + direction.arrow + " " + line.type() + " seq=" + line.seq() + " hex "
                    + WireFormat.hex(seq, type, payload));
        }
    }

    /** Traces an event of the connection: its handshake's outcome, its end. */
    public void event(String connection, String local, String remote, String note) {
        WireFormat.Line line = WireFormat.event(System.currentTimeMillis(), connection, local, remote, note);
        lines.accept(json ? WireFormat.json(line) : WireFormat.text(line));
    }
}
