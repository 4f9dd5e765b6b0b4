package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.Test;

/** Every duration option refuses, when it is set, what would overflow a count of nanoseconds later. */
class DurationOptionsTest {

    private static final List<Duration> TOO_LONG = List.of(Duration.ofSeconds(Long.MAX_VALUE),
            Duration.ofSeconds(Long.MAX_VALUE, 999_999_999), PeerBuilder.MAX_DURATION.plusNanos(1),
            Duration.ofDays(106_751_992)); // just over what toNanos() can hold

    private static List<Consumer<PeerBuilder<?>>> options(Duration d) {
        return List.of(b -> b.handshakeTimeout(d), b -> b.callTimeout(d), b -> b.frameTimeout(d),
                b -> b.heartbeat(d, Duration.ofSeconds(1)), b -> b.heartbeat(Duration.ofSeconds(1), d));
    }

    @Test
    void everyBuilderRefusesAnOverlongDurationClearly() {
        for (Duration d : TOO_LONG) {
            for (PeerBuilder<?> builder : List.<PeerBuilder<?>>of(Server.builder("127.0.0.1:0"),
                    Client.builder("127.0.0.1:1"))) {
                for (Consumer<PeerBuilder<?>> option : options(d)) {
                    assertThatThrownBy(() -> option.accept(builder)).isInstanceOf(IllegalArgumentException.class)
                            .hasMessageContaining("must be at most");
                }
            }
            assertThatThrownBy(() -> Client.builder("127.0.0.1:1").retry(d))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retry must be at most");
        }
    }

    @Test
    void theLongestAllowedWorksEndToEnd() throws Exception {
        Duration max = PeerBuilder.MAX_DURATION;
        try (Server server = Server.builder("127.0.0.1:0").secret("s").handshakeTimeout(max).frameTimeout(max)
                .callTimeout(max).heartbeat(max, max).register(new DemoService()).listen();
                Client client = Client.builder(server.address()).secret("s").handshakeTimeout(max)
                        .frameTimeout(max).callTimeout(max).heartbeat(max, max).retry(max).connect()) {
            assertThat(await(client.rpc("echo", "far"))).isEqualTo("far");
            assertThat(await(client.withTimeout(max).rpc("echo", "far too"))).isEqualTo("far too");
            server.close();
            assertThat(server.awaitClose(Duration.ofSeconds(Long.MAX_VALUE))).isTrue(); // a wait may be longer
        }
    }
}
