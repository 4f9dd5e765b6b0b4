package kaa.rpc.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import kaa.rpc.internal.frame.Packet;
import org.junit.jupiter.api.Test;

/** The pairing of answers with their calls in the wire trace, as a hostile peer uses seqs. */
class WireTraceCallsTest {

    private static WireFormat.Line line(WireFormat.Direction d, int type, int seq, String command) {
        return new WireFormat.Line(0, "c1", "a", "b", d, Packet.typeName(type), seq, command, 10, -1, null, null);
    }

    /**
     * A call is traced without its command when it is too large to decode; an
     * answer with its seq is its own, not that of an older call with the same
     * seq: it is paired with nothing.
     */
    @Test
    void aCallNotDecodedTakesTheSeqOfAnOlderCallWithIt() {
        WireTrace.Calls calls = new WireTrace.Calls();
        calls.pair(line(WireFormat.Direction.RECEIVED, Packet.CALL, 5, "old"), WireFormat.Direction.RECEIVED, 5,
                Packet.CALL, 1_000);
        calls.pair(line(WireFormat.Direction.RECEIVED, Packet.CALL, 5, null), WireFormat.Direction.RECEIVED, 5,
                Packet.CALL, 2_000);
        WireFormat.Line answer = calls.pair(line(WireFormat.Direction.SENT, Packet.RETN, 5, null),
                WireFormat.Direction.SENT, 5, Packet.RETN, 3_000);
        assertThat(answer.command()).isNull();
        assertThat(answer.latencyNanos()).isEqualTo(-1);
    }

    /** A peer that never answers, or answers seqs never called, holds at most the bound each way. */
    @Test
    void unansweredCallsAndStrayAnswersAreBounded() {
        WireTrace.Calls calls = new WireTrace.Calls();
        for (int seq = 0; seq < 10 * WireTrace.Calls.MAX_PENDING; seq++) {
            calls.pair(line(WireFormat.Direction.RECEIVED, Packet.CALL, seq, "c" + seq),
                    WireFormat.Direction.RECEIVED, seq, Packet.CALL, seq);
            calls.pair(line(WireFormat.Direction.RECEIVED, Packet.RETN, -seq, null), WireFormat.Direction.RECEIVED,
                    -seq, Packet.RETN, seq);
        }
        int last = 10 * WireTrace.Calls.MAX_PENDING - 1;
        // the newest are remembered, the oldest forgotten
        assertThat(calls.pair(line(WireFormat.Direction.SENT, Packet.RETN, last, null), WireFormat.Direction.SENT,
                last, Packet.RETN, last + 5).command()).isEqualTo("c" + last);
        assertThat(calls.pair(line(WireFormat.Direction.SENT, Packet.RETN, 0, null), WireFormat.Direction.SENT, 0,
                Packet.RETN, last + 5).command()).isNull();
    }
}
