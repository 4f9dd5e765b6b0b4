package kaa.rpc.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import kaa.rpc.internal.frame.Dialect;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.frame.RecordingSink;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.SendPolicy;
import java.time.Duration;
import java.util.ArrayDeque;
import kaa.rpc.NotConnectedException;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.FrameSink;
import kaa.rpc.internal.pickle.DecimalLimits;
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
     * A call encoded for a peer of this library (pickle shortcuts, a CALH),
     * as the connection seen then said, that goes on another: queued because
     * that connection was lost meanwhile, or routed to one that opened
     * since. A queued one is encoded again for any peer, one sent to a peer
     * that does not read this library's shortcuts too; each goes as the CALL
     * a Python peer is sent, or, to a peer that reads headers, with them.
     */
    @Test
    void aCallEncodedForAPeerOfThisLibraryGoesToAnotherAsThatPeerReadsIt() throws Exception {
        for (boolean queued : new boolean[] {true, false}) {
            for (Dialect next : Dialect.values()) {
                RecordingSink sink = new RecordingSink(next);
                ArrayDeque<PendingCall> queue = new ArrayDeque<>();
                OutgoingCalls.Route seenJava = new OutgoingCalls.Route() {
                    @Override
                    public Routed route(PendingCall call) {
                        if (queued) { // the connection seen was lost: the call waits for the next
                            if (!call.mayWaitInQueue()) {
                                return Routed.ENCODE_FOR_ANY_PEER; // as Session's route: encoded again first
                            }
                            queue.add(call);
                            call.queued = true;
                            return Routed.QUEUED;
                        }
                        call.sink = sink; // another connection opened meanwhile
                        return Routed.SEND;
                    }

                    @Override
                    public boolean unqueue(PendingCall call) {
                        return queue.remove(call);
                    }

                    @Override
                    public FrameSink openSink() {
                        return queued ? null : sink;
                    }

                    @Override
                    public Dialect dialect() {
                        return Dialect.JAVA; // the lost connection's
                    }

                    @Override
                    public NotConnectedException notConnected(String what) {
                        return new NotConnectedException(what);
                    }
                };
                OutgoingCalls calls = new OutgoingCalls(seenJava, Runnable::run, timers, SendPolicy.DEFAULT, false,
                        FrameLimits.DEFAULT_MAX_FRAME_SIZE, DecimalLimits.DEFAULT, Duration.ofSeconds(30));
                Object[] args = {new byte[] {1, 2, 3}, "x"};
                calls.call("echo", args, Map.of(), HEADERS, Object.class, null, true, null);
                if (queued) {
                    ArrayDeque<PendingCall> batch = new ArrayDeque<>(queue);
                    queue.clear();
                    batch.forEach(c -> c.queued = false);
                    ReadyQueue.sendAll(batch, sink);
                }
                ByteBuf expected = Unpooled.buffer();
                Packet.writeHeader(expected, 1, next.readsHeaders() ? Packet.CALH : Packet.CALL, 0);
                // a queued call waits for a peer not yet known: for any peer; one sent, for the peer it goes to
                boolean shortcuts = !queued && next.readsShortcuts();
                PickleWriter.writeCall(expected, "echo", args, Map.of(), next.readsHeaders() ? HEADERS : null,
                        shortcuts, SendPolicy.DEFAULT);
                Packet.patchLength(expected, 0);
                assertThat(sink.frameBytes(0)).as(next + (queued ? " queued" : " sent")).isEqualTo(bytes(expected));
                expected.release();
                sink.releaseAll();
            }
        }
    }

    private final ScheduledExecutorService timers = new ScheduledThreadPoolExecutor(1);

    @org.junit.jupiter.api.AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }
}
