package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Big numbers end to end: errors about them are as short as about small ones; Decimals are bounded per channel. */
class BigValuesTest {

    public static class Service {
        @Expose
        public long add(long a, long b) {
            return a + b;
        }

        @Expose
        public Object echo(Object x) {
            return x;
        }
    }

    /** An int of about 250 KB: two million bits, some 600,000 digits. */
    private static final BigInteger HUGE = BigInteger.ONE.shiftLeft(2_000_000).add(BigInteger.TEN);

    @Test
    void aHugeIntIsNamedByItsSizeInErrorsEitherWay() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new Service()).listen();
                Client client = Client.connect(server.address(), "s")) {
            // the callee's binding error: not the 602 KB of digits it was
            assertThatThrownBy(() -> await(client.rpc("add", HUGE, 1))).cause().isInstanceOf(RemoteException.class)
                    .satisfies(e -> assertThat(((RemoteException) e).remoteMessage())
                            .contains("expected long, got int <int of 2000001 bits>, which is out of its range")
                            .hasSizeLessThan(200));
            // the caller's conversion of a result
            assertThatThrownBy(() -> await(client.rpc(int.class, "echo", HUGE)))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ClassCastException.class)
                    .hasMessage("the result of 'echo' does not convert to int: expected int, got "
                            + "<int of 2000001 bits>, which is out of its range");
            assertThat(await(client.rpc("echo", HUGE))).isEqualTo(HUGE); // the value itself crosses whole
        }
    }

    @Test
    void decimalLimitsAreSetOnTheBuilder() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").decimalLimits(10, 3).register(new Service())
                .listen(); Client client = Client.connect(server.address(), "s")) {
            assertThat(await(client.rpc("echo", new BigDecimal("1.5E+3")))).isEqualTo(new BigDecimal("1.5E+3"));
            assertThatThrownBy(() -> await(client.rpc("echo", new BigDecimal("1E+4")))).cause()
                    .isInstanceOf(RemoteException.class)
                    .hasMessageContaining("Decimal() with exponent 4 refused (at most 3 either way)");
            assertThatThrownBy(() -> await(client.rpc("echo", new BigDecimal("12345678901"))))
                    .hasMessageContaining("Decimal() of 11 digits refused (at most 10)");
        }
        assertThatThrownBy(() -> Server.builder("127.0.0.1:0").decimalLimits(0, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
