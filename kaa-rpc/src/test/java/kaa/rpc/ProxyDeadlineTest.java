package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A blocking proxy method under a time-out of any length. */
class ProxyDeadlineTest {

    @TempDir
    Path dir;

    public interface Adder {
        @Expose
        int add(int a, int b);
    }

    public static final class AdderImpl implements Adder {
        @Override
        public int add(int a, int b) {
            return a + b;
        }
    }

    /** The longest time-out, 100 years, means "never" for a blocking proxy call, not an arithmetic overflow. */
    @Test
    @Timeout(30)
    void theLongestTimeOutIsNoTimeOutAndALongerOneIsRefusedWhenSet() throws Exception {
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "s").register(new AdderImpl());
                Client client = Peers.client(server, "s")) {
            assertThat(client.withTimeout(Duration.ofDays(36_500)).proxy(Adder.class).add(2, 3)).isEqualTo(5);
            for (Duration tooLong : new Duration[] {ChronoUnit.FOREVER.getDuration(), Duration.ofMillis(Long.MAX_VALUE),
                Duration.ofSeconds(Long.MAX_VALUE)}) {
                assertThatThrownBy(() -> client.withTimeout(tooLong)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("at most 36500 days");
            }
            assertThat(client.session.callsInFlight()).isZero(); // nothing was registered by the refusals
        }
    }
}
