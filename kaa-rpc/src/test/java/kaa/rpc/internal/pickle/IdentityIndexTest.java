package kaa.rpc.internal.pickle;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentityIndexTest {

    @Test
    void findsEachKeyByIdentityAcrossGrowth() {
        IdentityIndex index = new IdentityIndex();
        List<Object> keys = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            Object key = new String("k" + (i % 100)); // equal keys, distinct objects
            keys.add(key);
            assertThat(index.get(key)).isEqualTo(-1);
            index.put(key, i);
        }
        for (int i = 0; i < keys.size(); i++) {
            assertThat(index.get(keys.get(i))).isEqualTo(i);
        }
        assertThat(index.get(new String("k1"))).as("an equal key that was never put").isEqualTo(-1);
    }

    /** A table past 2^25 slots is probed all over, not from its lower part only (which made encoding quadratic). */
    @Test
    void slotsReachEveryPartOfATableLargerThan2To25() throws Exception {
        Method slot = IdentityIndex.class.getDeclaredMethod("slot", Object.class, int.class);
        slot.setAccessible(true);
        int mask = (1 << 27) - 1; // the table once the memo holds 2^25 values
        int upper = 0;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            int s = (int) slot.invoke(null, new Object(), mask);
            assertThat(s).isBetween(0, mask);
            if (s >= 1 << 25) {
                upper++;
            }
        }
        // a uniform spread puts three quarters of the keys at or past slot 2^25
        assertThat(upper).as("keys whose first slot is at or past 2^25, of %d", n).isGreaterThan(n / 2);
    }
}
