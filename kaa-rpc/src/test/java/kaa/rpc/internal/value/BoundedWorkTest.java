package kaa.rpc.internal.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import kaa.rpc.internal.convert.ConversionException;
import kaa.rpc.internal.convert.Conversions;
import kaa.rpc.internal.pickle.Bombs;
import kaa.rpc.internal.pickle.MalformedPickleException;
import kaa.rpc.internal.pickle.PickleReader;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.Pk;
import kaa.rpc.internal.pickle.Python;
import kaa.rpc.internal.pickle.SendPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The work between a payload's bytes and the values a method gets (and back)
 * is linear in the payload, whatever it shares: every adversarial pickle of
 * {@link Bombs}, with 2^60 paths in a few hundred bytes, is decoded, checked,
 * converted, re-encoded and rendered within a small, fixed multiple of its
 * size, counted by {@link WorkBudget}; and what genuinely costs more than its bytes
 * is refused with a {@link WorkLimitException}, never done.
 */
class BoundedWorkTest {

    private static final SendPolicy EVERY_OBJECT = SendPolicy.allowing((module, name) -> true);

    /** Work units per payload byte that an honest value (shared or not) stays under. */
    private static final int HONEST_UNITS_PER_BYTE = 4;

    static Stream<Arguments> bombs() {
        return Bombs.all(1, 20, 60).stream().map(Arguments::of);
    }

    private static final List<Type> TARGETS = List.of(Object.class, List.class, Map.class, Object[].class,
            Set.class, String.class, int.class, types("listOfLists"), types("mapOfLists"));

    @SuppressWarnings("unused")
    private static void shapes(List<List<Object>> listOfLists, Map<String, List<Object>> mapOfLists) {
    }

    private static Type types(String name) {
        try {
            Method m = BoundedWorkTest.class.getDeclaredMethod("shapes", List.class, Map.class);
            return m.getGenericParameterTypes()[name.equals("listOfLists") ? 0 : 1];
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0} by {1}, {2} levels")
    @MethodSource("bombs")
    void sharedValuesCostTheirBytesNotTheirPaths(Bombs.Container c, Bombs.Sharing s, int depth) throws Exception {
        byte[] pickle = Bombs.pickle(Bombs.value(c, s, depth));
        long honest = (long) HONEST_UNITS_PER_BYTE * pickle.length + 64;

        WorkBudget decoding = WorkBudget.forPayload(pickle.length);
        Object value;
        try {
            value = PickleReader.load(Unpooled.wrappedBuffer(pickle), decoding);
        } catch (MalformedPickleException e) {
            // only Python's own refusal: a list, dict or set used as a key or set member
            assertThat(e).hasMessageContaining("unhashable type");
            assertThat(decoding.used()).isLessThanOrEqualTo(honest);
            return;
        }
        assertThat(decoding.used()).isLessThanOrEqualTo(honest);

        for (Type target : TARGETS) {
            WorkBudget converting = WorkBudget.forPayload(pickle.length);
            try {
                Conversions.conversion(converting).convert(value, target);
            } catch (ConversionException doesNotFit) {
                assertThat(doesNotFit.getMessage().length()).isLessThan(2000);
            } catch (WorkLimitException e) {
                // genuine expansion: a set of lists hashes every path below each list
                assertThat(target).isEqualTo(Set.class);
                continue;
            }
            assertThat(converting.used()).as("converting to %s", target).isLessThanOrEqualTo(honest);
        }

        ByteBuf echo = Unpooled.buffer();
        try {
            PickleWriter.write(echo, value, false, EVERY_OBJECT); // mod.Obj: this test is about sharing
            assertThat(echo.readableBytes()).as("the echo keeps the sharing").isLessThanOrEqualTo(4 * pickle.length + 64);
            WorkBudget again = WorkBudget.forPayload(echo.readableBytes());
            Object back = PickleReader.load(echo, again);
            ByteBuf twice = Unpooled.buffer();
            PickleWriter.write(twice, back, false, EVERY_OBJECT);
            assertThat(ByteBufUtilBytes.of(twice)).isEqualTo(ByteBufUtilBytes.of(echo));
            twice.release();
        } finally {
            echo.release();
        }

        assertThat(Repr.repr(value)).hasSizeLessThanOrEqualTo(Limits.REPR_LIMIT);
        assertThat(Repr.describeValue(value)).hasSizeLessThan(Limits.REPR_LIMIT + 40);
    }

    /** Reads a buffer's readable bytes without consuming them. */
    private static final class ByteBufUtilBytes {
        static byte[] of(ByteBuf b) {
            return ByteBufUtil.getBytes(b);
        }
    }

    @Test
    void pythonReadsTheEchoesWithTheirSharing() throws Exception {
        List<byte[]> echoes = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        for (Object[] c : Bombs.all(40)) {
            Bombs.Container container = (Bombs.Container) c[0];
            if (container == Bombs.Container.OBJECT_STATE || container == Bombs.Container.REDUCE_ARGS) {
                continue; // their class, mod.Obj, exists only in the test
            }
            Object value;
            try {
                value = PickleReader.load(Bombs.pickle(Bombs.value(container, (Bombs.Sharing) c[1], 40)));
            } catch (MalformedPickleException unhashable) {
                continue;
            }
            ByteBuf out = Unpooled.buffer();
            PickleWriter.write(out, value);
            echoes.add(ByteBufUtil.getBytes(out));
            out.release();
            depths.add(40);
        }
        // Python walks each distinct container once, so a shared value comes back shared or not at all
        String script = "import sys, pickle\n"
                + "def depth(x, seen):\n"
                + "    if id(x) in seen: return seen[id(x)]\n"
                + "    if isinstance(x, dict): kids = list(x.keys()) + list(x.values())\n"
                + "    elif isinstance(x, (list, tuple, set, frozenset)): kids = list(x)\n"
                + "    else: return 0\n"
                + "    seen[id(x)] = d = 1 + max([depth(k, seen) for k in kids] or [0])\n"
                + "    return d\n"
                + "sys.setrecursionlimit(100000)\n"
                + "for line in sys.stdin:\n"
                + "    v = pickle.loads(bytes.fromhex(line.strip()))\n"
                + "    print(depth(v, {}), len(pickle.dumps(v, 2)))\n";
        StringBuilder input = new StringBuilder();
        for (byte[] e : echoes) {
            input.append(HexFormat.of().formatHex(e)).append('\n');
        }
        List<String> lines = Python.run(script, input.toString());
        assertThat(lines).hasSize(echoes.size());
        for (int i = 0; i < lines.size(); i++) {
            String[] depthAndSize = lines.get(i).split(" ");
            assertThat(Integer.parseInt(depthAndSize[0])).isGreaterThanOrEqualTo(depths.get(i));
            assertThat(Integer.parseInt(depthAndSize[1])).isLessThan(4 * echoes.get(i).length);
        }
    }

    @Test
    void pythonsListOfSharedRowsIsKeptShared() throws Exception {
        // [[0] * 100] * 100 as Python pickles it: one row, a hundred references
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(new byte[] {(byte) 0x80, 2, ']', 'q', 0, '(', ']', 'q', 1, '('});
        for (int i = 0; i < 100; i++) {
            p.writeBytes(new byte[] {'K', 0});
        }
        p.writeBytes(new byte[] {'e'});
        for (int i = 0; i < 99; i++) {
            p.writeBytes(new byte[] {'h', 1});
        }
        p.writeBytes(new byte[] {'e', '.'});
        List<?> rows = (List<?>) PickleReader.load(p.toByteArray());
        assertThat(rows).hasSize(100).allSatisfy(row -> assertThat(row).isSameAs(rows.get(0)));
        assertThat(new ArrayList<Object>((List<?>) rows.get(0))).hasSize(100).containsOnly(0);
        int[][] matrix = (int[][]) Conversions.convert(rows, int[][].class);
        assertThat(matrix[99][99]).isZero();
        assertThat(matrix[0]).isSameAs(matrix[1]);
    }

    // ---- what genuinely costs more than its bytes is refused ----------------------------------------

    private static void refusedForWork(byte[] pickle) {
        assertThatThrownBy(() -> PickleReader.load(pickle))
                .isInstanceOf(MalformedPickleException.class)
                .hasCauseInstanceOf(WorkLimitException.class)
                .hasMessageContaining("work limit exceeded");
    }

    @Test
    void aSharedStateMergedIntoManyObjectsIsRefused() {
        Pk p = Pk.proto().op('}', 'q', 0, '(');
        p.times(1000, new Runnable() {
            int i;

            @Override
            public void run() {
                p.str("k" + i++).op('N');
            }
        });
        p.op('u', '0', ']', '(');
        p.times(50_000, () -> p.text("cmod\nObj\n").op(')', 'R', 'h', 0, 'b'));
        refusedForWork(p.op('e').end());
    }

    @Test
    void aSharedListMadeIntoManySetsIsRefused() {
        Pk p = Pk.proto().op(']', 'q', 0, '(');
        p.times(5000, new Runnable() {
            int i;

            @Override
            public void run() {
                p.op('J', i & 0xff, (i >> 8) & 0xff, 0, 0);
                i++;
            }
        });
        p.op('e', '0', ']', '(');
        p.times(20_000, () -> p.text("c__builtin__\nset\n").op('h', 0, 0x85, 'R'));
        refusedForWork(p.op('e').end());
    }

    @Test
    void aLongSharedKeyInManyDictsIsRefused() {
        Pk p = Pk.proto().str("k".repeat(200_000)).op('q', 0, '0', ']', '(');
        p.times(50_000, () -> p.op('}', 'h', 0, 'N', 's'));
        refusedForWork(p.op('e').end());
    }

    @Test
    void aSharedTextEncodedAgainAndAgainIsRefused() {
        Pk p = Pk.proto().str("x".repeat(200_000)).op('q', 0, '0', ']', '(');
        p.times(50_000, () -> p.text("c_codecs\nencode\n").op('h', 0).str("latin1").op(0x86, 'R'));
        refusedForWork(p.op('e').end());
    }

    @Test
    void keysWithOneHashCodeAreAFloodAndRefused() {
        // "Aa" and "BB" have the same hash code, and so does every string made of them
        Pk p = Pk.proto().op('}', '(');
        for (int i = 0; i < 64; i++) {
            StringBuilder key = new StringBuilder();
            for (int bit = 0; bit < 6; bit++) {
                key.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            p.str(key.toString()).op('N');
        }
        assertThatThrownBy(() -> PickleReader.load(p.op('u').end()))
                .isInstanceOf(MalformedPickleException.class).hasMessageContaining("same hash code");
    }

    @Test
    void keysOfManyClassesWithOneHashCodeAreRefusedToo() {
        // Long and BigInteger keys whose hash codes are all 0: a HashMap scans such a bin on every insertion
        Pk p = Pk.proto().op('}', '(');
        for (long i = 1; i <= 10; i++) {
            long v = i << 32 | i; // (int) (v ^ v >>> 32) == 0
            p.op(0x8a, 8);
            for (int b = 0; b < 8; b++) {
                p.op((int) (v >> 8 * b) & 0xff);
            }
            p.op('N');
        }
        assertThatThrownBy(() -> PickleReader.load(p.op('u').end()))
                .isInstanceOf(MalformedPickleException.class).hasMessageContaining("same hash code");
    }

    @Test
    void listsDictsAndSetsAreUnhashableAsInPython() {
        for (byte[] key : List.of(new byte[] {']'}, new byte[] {'}'}, new byte[] {(byte) 0x8f})) {
            Pk p = Pk.proto().op('}');
            p.append(key);
            p.op('N', 's');
            assertThatThrownBy(() -> PickleReader.load(p.end())).hasMessageContaining("unhashable type");
        }
        Pk member = Pk.proto().op(0x8f, '(', ']', 0x90);
        assertThatThrownBy(() -> PickleReader.load(member.end())).hasMessageContaining("unhashable type: 'list'");
    }

    @Test
    void aFrozensetIsHashableAndStaysFrozen() throws Exception {
        // {frozenset({1}): 'x'}
        byte[] pickle = Pk.proto().op('}', '(', 'K', 1, 0x91).str("x").op('s').end();
        Map<?, ?> dict = (Map<?, ?>) PickleReader.load(pickle);
        Object key = dict.keySet().iterator().next();
        assertThat(key).isInstanceOf(FrozenSet.class).isEqualTo(Set.of(1));
        assertThatThrownBy(() -> ((Set<Object>) key).add(2)).isInstanceOf(UnsupportedOperationException.class);
        ByteBuf out = Unpooled.buffer();
        PickleWriter.write(out, dict);
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).contains("frozenset");
        assertThat(PickleReader.load(out)).isEqualTo(dict);
        out.release();
    }

    @Test
    void tupleKeysConvertedToListsArePaidForByTheirSize() throws Exception {
        // {T: 1} where T is a tuple shared 2^40 times below: a List key would hash every path
        byte[] pickle = Pk.proto().op('}').append(Bombs.value(Bombs.Container.TUPLE2,
                Bombs.Sharing.DUP, 40)).op('K', 1, 's').end();
        Object dict = PickleReader.load(pickle);
        Type target = BoundedWorkTest.class.getDeclaredField("listKeys").getGenericType();
        assertThatThrownBy(() -> Conversions.conversion(WorkBudget.forPayload(pickle.length)).convert(dict, target))
                .isInstanceOf(WorkLimitException.class);
        // the same value as a plain dict needs no hashing of the tuple's contents
        assertThat(Conversions.conversion(WorkBudget.forPayload(pickle.length)).convert(dict, Map.class)).isNotNull();
    }

    @SuppressWarnings("unused")
    private Map<List<Object>, Integer> listKeys;

    @Test
    void popMarkAndAppendsCostWhatTheyMove() throws Exception {
        // many items under many MARK/POP_MARK pairs: Pyrolite's own stack copied itself at each
        Pk p = Pk.proto().op(']');
        p.times(200_000, () -> p.op('K', 1));
        p.times(200_000, () -> p.op('(', '1'));
        p.times(200_000, () -> p.op('0'));
        p.times(100_000, () -> p.op('(', 'K', 1, 'e'));
        WorkBudget work = WorkBudget.forPayload(p.size() + 1);
        Object list = PickleReader.load(Unpooled.wrappedBuffer(p.end()), work);
        assertThat((List<?>) list).hasSize(100_000);
        assertThat(work.used()).isLessThan(8L * p.size());
    }

    @Test
    void renderingsAreCutWhateverTheValue() {
        List<Object> wide = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) {
            wide.add("item " + i);
        }
        assertThat(Repr.repr(wide)).hasSize(Limits.REPR_LIMIT).endsWith("...");
        assertThat(Repr.repr("x".repeat(10_000), 300)).hasSize(300);
        assertThat(Repr.truncate("y".repeat(1000), 10)).isEqualTo("yyyyyyyyyy... (990 more characters)");
        assertThat(Repr.repr(new Object[] {1})).isEqualTo("(1,)");
        assertThat(Repr.repr(Map.of("a", List.of(true, 1.5)))).isEqualTo("{'a': [True, 1.5]}");
        assertThat(Repr.repr(new byte[] {'a', 0, (byte) 0xff})).isEqualTo("b'a\\x00\\xff'");
        assertThat(Repr.repr(Double.NaN)).isEqualTo("nan");
        assertThat(Repr.repr(new PyObject("exceptions", "ValueError", new Object[] {"boom"})))
                .isEqualTo("ValueError('boom')");
    }
}
