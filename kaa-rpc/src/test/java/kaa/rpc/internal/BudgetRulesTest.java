package kaa.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
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

    /**
     * Peers that read nothing, each below the low-water mark, are exempt from
     * the send budget however many they are: what all connections hold
     * unsent grows with the number of connections, not with the budget.
     */
    @Test
    void manyPeersThatReadNothingAreBoundedByTheSendBudget() {
        SendBudget budget = new SendBudget(16L << 20);
        long answer = 1L << 20;
        for (int connection = 0; connection < 64; connection++) {
            long unsent = 0;
            // the answers of calls already running, to a peer that reads none of them
            while (unsent < Options.OUTBOUND_HIGH_WATER && budget.admits(unsent, answer)) {
                unsent += answer;
                budget.add(answer); // what the connection's recount finds in Netty's buffer
            }
        }
        assertThat(budget.held()).as("held unsent by all connections").isLessThanOrEqualTo(
                budget.limit() + Options.OUTBOUND_HIGH_WATER);
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
}
