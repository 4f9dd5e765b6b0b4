package kaa.rpc.internal.pickle;

import static org.assertj.core.api.Assertions.assertThat;

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
}
