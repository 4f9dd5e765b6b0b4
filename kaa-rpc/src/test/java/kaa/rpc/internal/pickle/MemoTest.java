package kaa.rpc.internal.pickle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The memo's indices as a peer may write them: in order, far apart, negative, again, and None. */
class MemoTest {

    @Test
    void indicesInOrderAndFarApartAreKeptAndCountedOnce() {
        Memo memo = new Memo();
        assertThat(memo.get(0)).isSameAs(Memo.ABSENT);
        memo.put(0, "a");
        memo.put(2_000_000_000L, "far");
        memo.put(-1, "negative");
        memo.put(5, null);
        assertThat(memo.size()).isEqualTo(4);
        assertThat(memo.get(0)).isEqualTo("a");
        assertThat(memo.get(2_000_000_000L)).isEqualTo("far");
        assertThat(memo.get(-1)).isEqualTo("negative");
        assertThat(memo.get(5)).isNull();
        assertThat(memo.get(4)).isSameAs(Memo.ABSENT);
        assertThat(memo.get(-2)).isSameAs(Memo.ABSENT);
        assertThat(memo.get(Long.MAX_VALUE)).isSameAs(Memo.ABSENT);

        // a PUT again replaces, and counts nothing more (MEMOIZE's next index is Python's len(memo))
        memo.put(0, "b");
        memo.put(-1, "again");
        memo.put(2_000_000_000L, null);
        assertThat(memo.size()).isEqualTo(4);
        assertThat(memo.get(0)).isEqualTo("b");
        assertThat(memo.get(-1)).isEqualTo("again");
        assertThat(memo.get(2_000_000_000L)).isNull();
    }

    @Test
    void anEntryThatWentToTheMapMovesToTheArrayWhenItGrowsAndIsCountedOnce() {
        Memo memo = new Memo();
        memo.put(100, "early"); // beyond what 0 entries may take in the array: the map holds it
        for (int i = 0; i < 100; i++) {
            memo.put(i, i);
        }
        assertThat(memo.size()).isEqualTo(101);
        memo.put(100, "later"); // now within the array: taken out of the map, not counted twice
        assertThat(memo.size()).isEqualTo(101);
        assertThat(memo.get(100)).isEqualTo("later");
        assertThat(memo.get(99)).isEqualTo(99);
    }
}
