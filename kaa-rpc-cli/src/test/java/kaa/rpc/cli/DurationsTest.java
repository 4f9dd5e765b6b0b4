package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import kaa.rpc.PeerBuilder;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** Durations on the command line: what overflows a count of nanoseconds is a usage error, not a failure later. */
class DurationsTest {

    @Test
    void readsTheUsualForms() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("876000h")).isEqualTo(PeerBuilder.MAX_DURATION);
    }

    @Test
    void refusesWhatNoBuilderWouldTake() {
        for (String text : new String[] {"9999999999999h", "876001h", "9".repeat(400) + "ms"}) {
            assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(TypeConversionException.class)
                    .hasMessageContaining("too long");
        }
    }
}
