package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KwargsTest {

    @Test
    void buildsInOrderAndStaysImmutable() {
        Kwargs one = Kwargs.of("a", 1);
        Kwargs two = one.and("b", null);
        assertThat(one.asMap()).containsExactly(Map.entry("a", 1));
        assertThat(two.asMap().keySet()).containsExactly("a", "b");
        assertThat(two.asMap()).containsEntry("a", 1).containsEntry("b", null);
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("z", 26);
        source.put("y", 25);
        assertThat(Kwargs.of(source).asMap()).containsExactly(Map.entry("z", 26), Map.entry("y", 25));
        assertThat(Kwargs.of("p", 1, "q", 2)).isEqualTo(Kwargs.of(Map.of("p", 1, "q", 2)));
        assertThatThrownBy(() -> two.asMap().put("c", 3)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void refusesTheSameNameTwice() {
        assertThatThrownBy(() -> Kwargs.of("a", 1).and("a", 2)).hasMessageContaining("'a' given twice");
        assertThatThrownBy(() -> Kwargs.of("a", null).and("a", null)).hasMessageContaining("'a' given twice");
    }
}
