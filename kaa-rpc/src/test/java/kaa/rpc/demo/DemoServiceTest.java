package kaa.rpc.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DemoServiceTest {

    /** A number whose text is not to be had: adding it must use arithmetic. */
    private static final class NoText extends Number {
        private static final long serialVersionUID = 1L;

        @Override
        public int intValue() {
            return 40;
        }

        @Override
        public long longValue() {
            return 40;
        }

        @Override
        public float floatValue() {
            return 40;
        }

        @Override
        public double doubleValue() {
            return 40;
        }

        @Override
        public String toString() {
            throw new AssertionError("converted to text");
        }
    }

    @Test
    void addIsArithmeticNeverText() {
        DemoService demo = new DemoService();
        assertThat(demo.add(new NoText(), 2)).isEqualTo(BigInteger.valueOf(42));
        BigInteger huge = BigInteger.ONE.shiftLeft(8 << 20);
        assertThat(demo.add(huge, 1)).isEqualTo(huge.add(BigInteger.ONE));
        assertThat(demo.add(new BigDecimal("1.5"), 2)).isEqualTo(new BigDecimal("3.5"));
        assertThat(demo.add(-1, 1.5)).isEqualTo(0.5);
        assertThatThrownBy(() -> demo.add(new BigDecimal("1.5"), 2.0)).isInstanceOf(ClassCastException.class)
                .hasMessage("unsupported operand type(s) for +: 'Decimal' and 'float'");
    }

    @Test
    void slowTakesABoundedWaitAndACancelFreesItsTimer() throws Exception {
        DemoService demo = new DemoService();
        for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY, 1e9, 61}) {
            assertThatThrownBy(() -> demo.slow(bad, "x")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("0 to 60 seconds");
        }
        assertThat(demo.slow(0.01, "late").toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isEqualTo("late");
        int before = DemoService.TIMERS.getQueue().size();
        CompletableFuture<Object> waiting = demo.slow(60, new byte[1 << 20]).toCompletableFuture();
        assertThat(DemoService.TIMERS.getQueue()).hasSize(before + 1);
        waiting.cancel(true); // as the library does when the caller lets the call go
        assertThat(DemoService.TIMERS.getQueue()).hasSize(before);
    }
}
