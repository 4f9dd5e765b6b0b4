package kaa.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How a retrying client spaces its attempts. */
class EndpointsTest {

    private static long backoff(Duration retry, int refusals) {
        return Endpoints.Connector.backoff(retry.toNanos(), refusals);
    }

    @Test
    void presumedRefusalsInARowDoubleTheWaitUpToItsCap() {
        Duration retry = Duration.ofMillis(20);
        assertThat(backoff(retry, 0)).as("a lost connection").isEqualTo(retry.toNanos());
        assertThat(backoff(retry, 1)).as("one refusal: it may be a restart").isEqualTo(retry.toNanos());
        assertThat(backoff(retry, 2)).isEqualTo(Duration.ofMillis(40).toNanos());
        assertThat(backoff(retry, 5)).isEqualTo(Duration.ofMillis(320).toNanos());
        assertThat(backoff(retry, 30)).isEqualTo(Endpoints.Connector.MAX_BACKOFF.toNanos());
        assertThat(backoff(retry, Integer.MAX_VALUE)).as("no overflow").isEqualTo(Endpoints.Connector.MAX_BACKOFF.toNanos());
    }

    @Test
    void aRetryIntervalLongerThanTheCapIsKept() {
        Duration retry = Duration.ofMinutes(2);
        assertThat(backoff(retry, 10)).isEqualTo(retry.toNanos());
    }
}
