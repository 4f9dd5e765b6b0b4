package kaa.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.ReceiveBudget;
import kaa.rpc.internal.net.SendBudget;
import org.junit.jupiter.api.Test;

/** The rules of the budgets connections share, on the budgets alone. */
class BudgetRulesTest {

    /**
     * The waiter at the head of the queue goes (its connection closed): the
     * next one, which fits now, must be granted then, not only at the next
     * release, which may be a frame time-out away (or longer, while its
     * holder is paused by us).
     */
    @Test
    void aCancelledHeadOfTheQueueLetsTheNextGo() {
        ReceiveBudget budget = new ReceiveBudget(100);
        assertThat(budget.reserve(40, "x", () -> { })).isTrue();
        ReceiveBudget.Waiter big = () -> { };
        assertThat(budget.reserve(70, "y", big)).isFalse(); // does not fit beside the 40
        AtomicBoolean granted = new AtomicBoolean();
        assertThat(budget.reserve(30, "z", () -> granted.set(true))).isFalse(); // fits, but waits its turn

        assertThat(budget.cancel(big)).isTrue();

        assertThat(granted).as("the frame behind the cancelled one is granted").isTrue();
        assertThat(budget.reserved()).isEqualTo(70);
    }

    /** A connection whose peer reads nothing: what it is given, it holds. */
    private static final class Hog implements SendBudget.Holder {
        long unsent;
        boolean evicted;
        /** How long its bytes have waited: a peer that reads nothing waits long. */
        long stalled;

        @Override
        public long stalledNanos(long now) {
            return unsent == 0 ? 0 : stalled;
        }

        @Override
        public long unsentBytes() {
            return unsent;
        }

        @Override
        public boolean evicted() {
            return evicted;
        }

        @Override
        public void evict(long held, long limit) {
            evicted = true;
        }
    }

    /**
     * Peers that read nothing, however many, hold no more than the budget
     * (and one answer) in all: past it, the one holding the most gives way,
     * and a peer that reads, holding nothing, is never the one.
     */
    @Test
    void manyPeersThatReadNothingAreBoundedByTheSendBudget() {
        SendBudget budget = new SendBudget(16L << 20);
        long answer = 1L << 20;
        List<Hog> hogs = new ArrayList<>();
        Hog reader = new Hog();
        budget.join(reader);
        for (int connection = 0; connection < 64; connection++) {
            Hog hog = new Hog();
            hogs.add(hog);
            budget.join(hog);
            // the answers of calls already running, to a peer that reads none of them
            while (!hog.evicted && hog.unsent < FrameLimits.OUTBOUND_HIGH_WATER && budget.admits(hog, answer)) {
                hog.unsent += answer;
                budget.add(answer); // what the connection's recount finds in Netty's buffer
            }
            for (Hog h : hogs) {
                if (h.evicted && h.unsent > 0) { // closed: its recount gives its bytes back
                    budget.add(-h.unsent);
                    h.unsent = 0;
                    budget.leave(h);
                }
            }
            assertThat(budget.held()).as("held unsent by all connections").isLessThanOrEqualTo(
                    budget.limit() + answer);
            assertThat(budget.admits(reader, 100)).as("a reader is served").isTrue();
            assertThat(reader.evicted).isFalse();
        }
    }

    /**
     * A source whose share is full waits without holding up those behind it,
     * also when its request would not fit the budget either: it cannot be
     * granted before its own source gives back, so a frame of another source
     * that fits now goes now.
     */
    @Test
    void aShareBlockedRequestThatDoesNotFitHoldsUpNobody() {
        ReceiveBudget budget = new ReceiveBudget(100);
        assertThat(budget.reserve(50, "bad", () -> { })).isTrue(); // its half
        assertThat(budget.reserve(30, "good", () -> { })).isTrue();
        assertThat(budget.reserve(30, "bad", () -> { })).isFalse(); // over its share, and over the budget
        AtomicBoolean granted = new AtomicBoolean();
        boolean now = budget.reserve(10, "other", () -> granted.set(true));
        assertThat(now || granted.get()).as("a frame of another source that fits is granted").isTrue();
        assertThat(budget.reserved()).isEqualTo(90);
    }

    /**
     * The hog that holds the most is closed, on its own I/O thread: until its
     * close gives its bytes back, the total still counts them. A reader that
     * asks in that moment must not be taken for the one holding the most
     * (the hog, already given way, is skipped) and refused, or closed.
     */
    @Test
    void aReaderIsNotRefusedWhileTheEvictedHogsBytesAreStillCounted() {
        SendBudget budget = new SendBudget(100);
        Hog hog = new Hog();
        Hog reader = new Hog();
        Hog other = new Hog();
        budget.join(hog);
        budget.join(reader);
        budget.join(other);
        hog.unsent = 150;
        reader.unsent = 5; // an answer on its way to a peer that reads it
        budget.add(155);

        assertThat(budget.admits(other, 1)).isTrue(); // the hog gives way
        assertThat(hog.evicted).isTrue();
        // its close has not been counted yet: what it holds is still in the total
        assertThat(budget.admits(reader, 1)).as("a reader asking before the hog's close is counted").isTrue();
        assertThat(reader.evicted).isFalse();
    }

    /**
     * Hogs that read nothing, each kept just under a connection's high-water
     * mark, fill the budget; a peer that reads is sent a large answer, which
     * it holds unsent for the moment the socket takes to pass it on. The
     * next hog that asks must not make the reader give way: holding the most
     * for a moment is not reading nothing.
     */
    @Test
    void aReaderGivenALargeAnswerIsNotEvictedForHogsJustUnderTheHighWater() {
        long mib = 1L << 20;
        SendBudget budget = new SendBudget(64 * mib);
        List<Hog> hogs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Hog hog = new Hog();
            hog.unsent = 15 * mib; // under the 16 MiB at which its connection stops reading calls
            hog.stalled = TimeUnit.SECONDS.toNanos(5); // none of it left for a while
            budget.join(hog);
            budget.add(hog.unsent);
            hogs.add(hog);
        }
        Hog reader = new Hog();
        budget.join(reader);

        assertThat(budget.admits(reader, 20 * mib)).isTrue(); // a hog gives way for it
        for (Hog h : hogs) {
            if (h.evicted) { // its close is counted
                budget.add(-h.unsent);
                h.unsent = 0;
                budget.leave(h);
            }
        }
        reader.unsent = 20 * mib;
        budget.add(reader.unsent);

        Hog next = hogs.stream().filter(h -> !h.evicted).findFirst().orElseThrow();
        budget.admits(next, mib);
        assertThat(reader.evicted).as("the reader of a large answer, past hogs that read nothing").isFalse();
    }
}
