package kaa.rpc.internal.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import kaa.rpc.internal.value.WorkLimitException;
import org.junit.jupiter.api.Test;

/**
 * Pickles a hostile peer may send: each costs time and memory in proportion
 * to its bytes, however it arranges its memo indices or shares its strings,
 * and each one Python refuses is refused with its own reason, never read as
 * another value.
 */
class HostilePicklesTest {

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ---- the memo

    @Test
    void aMemoFilledJustAheadOfItsSizeGrowsItsArrayGeometrically() throws Exception {
        Field dense = Memo.class.getDeclaredField("dense");
        dense.setAccessible(true);
        Memo memo = new Memo();
        int reallocations = 0;
        long slotsCopied = 0;
        Object before = dense.get(memo);
        for (int size = 0; size < 20_000; size++) {
            memo.put(4L * size + 63, "v");
            Object now = dense.get(memo);
            if (now != before) {
                reallocations++;
                slotsCopied += ((Object[]) now).length;
                before = now;
            }
        }
        assertThat(memo.size()).isEqualTo(20_000);
        // growing by doubling: about log2(80,000) arrays, and fewer slots copied than twice the last array's
        assertThat(reallocations).as("arrays made for 20,000 entries").isLessThan(40);
        assertThat(slotsCopied).as("slots copied for 20,000 entries").isLessThan(400_000);
    }

    // ---- shared strings that each use reads again

    @Test
    void aDecimalTextSharedThroughTheMemoCostsItsCharactersOnEveryUse() {
        // Decimal('1e000...0001'): one digit, exponent 1, 5,005 characters, read again by each of ~140,000 REDUCEs
        String text = "1e" + "0".repeat(5000) + "1";
        Pk p = Pk.proto().global("decimal", "Decimal").op('q', 0).str(text).op('q', 1, '0');
        while (p.size() < 1_000_000) {
            p.op('h', 0, 'h', 1, 0x85, 'R', '0');
        }
        byte[] hostile = p.op('N').end();
        // charged its characters on each use: far more work than its bytes allow, refused before it is done
        assertThatThrownBy(() -> PickleReader.load(hostile)).isInstanceOf(MalformedPickleException.class)
                .cause().isInstanceOf(WorkLimitException.class);
    }

    @Test
    void aClassNameSharedThroughTheMemoCostsItsCharactersOnEveryUse() {
        // STACK_GLOBAL of two memoized 200-character names, ~170,000 times
        Pk p = Pk.proto().str("a".repeat(200)).op('q', 0, '0');
        while (p.size() < 1_000_000) {
            p.op('h', 0, 'h', 0, 0x93, '0');
        }
        byte[] hostile = p.op('N').end();
        assertThatThrownBy(() -> PickleReader.load(hostile)).isInstanceOf(MalformedPickleException.class)
                .cause().isInstanceOf(WorkLimitException.class);
    }

    // ---- refused with their own reason, as Python refuses them

    @Test
    void anOrderedDictOfSomethingOtherThanPairsIsRefusedWithItsOwnReason() {
        byte[] p = latin1("ccollections\nOrderedDict\n((lp0\nI1\natR.");
        assertThatThrownBy(() -> PickleReader.load(p))
                .isInstanceOf(MalformedPickleException.class)
                .hasMessageContaining("OrderedDict() takes (key, value) pairs")
                .hasMessageNotContaining("java.")
                .cause().isNotInstanceOf(ClassCastException.class);
    }

    @Test
    void textTheNamedCodecCannotEncodeIsRefusedAsPythonRefusesIt() {
        // Python: UnicodeEncodeError; never b'?'
        assertThatThrownBy(() -> PickleReader.load(latin1("c_codecs\nencode\n(V\u00e9\nVascii\ntR.")))
                .isInstanceOf(MalformedPickleException.class);
        assertThatThrownBy(() -> PickleReader.load(latin1("c_codecs\nencode\n(V\\ud800\nVutf-8\ntR.")))
                .isInstanceOf(MalformedPickleException.class);
    }

    @Test
    void bytesOfIntegersOutsideZeroTo255AreRefusedAsPythonRefusesThem() {
        // Python: ValueError('byte must be in range(0, 256)'); never b','
        assertThatThrownBy(() -> PickleReader.load(latin1("c__builtin__\nbytearray\n((lI300\natR.")))
                .isInstanceOf(MalformedPickleException.class);
        assertThatThrownBy(() -> PickleReader.load(latin1("c__builtin__\nbytes\n((lI-1\natR.")))
                .isInstanceOf(MalformedPickleException.class);
    }

    @Test
    void stateBuiltIntoAPlainListIsRefusedNotDropped() {
        // Python: AttributeError: 'list' object has no attribute '__dict__'
        assertThatThrownBy(() -> PickleReader.load(latin1("(l(dS'a'\nI1\nsb.")))
                .isInstanceOf(MalformedPickleException.class);
    }

    @Test
    void protocol0IntegersPythonReadsOtherwiseAreNeverReadAsAnotherNumber() {
        // python3 reads INT 010 as 8 and INT 0x10 as 16 (strtol, base 0), and refuses INT 01L and LONG 010L
        for (String pickle : new String[] {"I010\n.", "I0x10\n.", "I01L\n.", "L010L\n.", "I-007\n."}) {
            assertThatThrownBy(() -> PickleReader.load(latin1(pickle))).as(pickle)
                    .isInstanceOf(MalformedPickleException.class);
        }
        assertThat(readInt("I0\n.")).isEqualTo(0);
        assertThat(readInt("I-12\n.")).isEqualTo(-12);
        assertThat(readInt("L0L\n.")).isEqualTo(0);
        assertThat(readInt("L-120L\n.")).isEqualTo(-120);
    }

    private static Object readInt(String pickle) {
        try {
            return PickleReader.load(latin1(pickle));
        } catch (MalformedPickleException e) {
            throw new AssertionError(pickle + " refused: " + e.getMessage(), e);
        }
    }
}
