package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;

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

    /** A time-out of centuries means "never" (as for the call's own timer), not an arithmetic overflow. */
    @Test
    @Timeout(30)
    void aTimeOutTooLongForMillisecondsIsNoTimeOut() throws Exception {
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "s").register(new AdderImpl());
                Client client = Peers.client(server, "s")) {
            assertThat(client.withTimeout(ChronoUnit.FOREVER.getDuration()).proxy(Adder.class).add(2, 3))
                    .isEqualTo(5);
            assertThat(client.withTimeout(Duration.ofMillis(Long.MAX_VALUE)).proxy(Adder.class).add(2, 3))
                    .isEqualTo(5);
        }
    }
}
