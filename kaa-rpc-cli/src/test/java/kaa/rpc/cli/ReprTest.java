package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReprTest {

    @Test
    void reprIsBoundedWhateverTheValue() {
        BigInteger huge = BigInteger.ONE.shiftLeft(8 << 20);
        assertThat(Repr.of(List.of(huge))).isEqualTo("[<int of 8388609 bits>]");
        List<Object> shared = Collections.nCopies(1000, "x".repeat(1000));
        assertThat(Repr.of(Collections.nCopies(1000, shared))).hasSize(Repr.MAX_CHARS).endsWith("...");
        assertThat(Repr.of(new Object[] {"it's", new byte[] {0, 'a'}})).isEqualTo("(\"it's\", b'\\x00a')");
    }
}
