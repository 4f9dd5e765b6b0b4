package kaa.rpc.internal.pickle;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import kaa.rpc.internal.value.Limits;
import kaa.rpc.internal.value.WorkBudget;
import org.junit.jupiter.api.Test;

class DecimalLimitsTest {

    /** Limits as wide as an int allows take every Decimal that fits the work allowance, not none. */
    @Test
    void theWidestDigitLimitRefusesNothingSmall() throws Exception {
        byte[] p = Pk.proto().global("decimal", "Decimal").str("1.5").op(0x85, 'R').end();
        Object v = PickleReader.load(Unpooled.wrappedBuffer(p), WorkBudget.forPayload(p.length),
                new DecimalLimits(Integer.MAX_VALUE, 5000));
        assertThat(v).isEqualTo(new BigDecimal("1.5"));
    }
}
