package kaa.rpc.internal.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import kaa.rpc.internal.value.FrozenSet;
import kaa.rpc.internal.value.PyObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every opcode the unpickler handles itself, and every way it refuses a
 * pickle, with the value or the message that comes out. Pickles are written
 * opcode by opcode ({@link Pk}).
 */
class PickleReaderTest {

    static Object load(Pk p) throws MalformedPickleException {
        return PickleReader.load(p.end());
    }

    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of("STACK_GLOBAL", Pk.proto().str("decimal").str("Decimal").op(0x93).str("1.5").op(0x85, 'R'),
                        new BigDecimal("1.5")),
                Arguments.of("OBJ", Pk.proto().op('(').global("mod", "Point").op('K', 1, 'K', 2, 'o'),
                        new PyObject("mod", "Point", new Object[] {1, 2})),
                Arguments.of("BINSTRING (Python 2 str)", Pk.proto().counted('T', new byte[] {'a', (byte) 0xe9}, 4), "a\u00e9"),
                Arguments.of("BINUNICODE8", Pk.proto().counted(0x8d, "\u20ac".getBytes(StandardCharsets.UTF_8), 8), "\u20ac"),
                Arguments.of("BINBYTES8", Pk.proto().counted(0x8e, new byte[] {1, 2}, 8), new byte[] {1, 2}),
                Arguments.of("BYTEARRAY8", Pk.proto().counted(0x96, new byte[] {3}, 8), new byte[] {3}),
                Arguments.of("LONG4", Pk.proto().counted(0x8b, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 1}, 4),
                        BigInteger.ONE.shiftLeft(64)),
                Arguments.of("LONG1, narrowed to int", Pk.proto().op(0x8a, 1, 5), 5),
                Arguments.of("LONG1 of a long", Pk.proto().op(0x8a, 5, 0, 0, 0, 0, 1), 1L << 32),
                Arguments.of("INT 01 is True", Pk.proto().op('I').line("01"), true),
                Arguments.of("INT 00 is False", Pk.proto().op('I').line("00"), false),
                Arguments.of("INT", Pk.proto().op('I').line("-42"), -42),
                Arguments.of("LONG with L", Pk.proto().op('L').line("123456789012345678901234567890L"),
                        new BigInteger("123456789012345678901234567890")),
                Arguments.of("POP", Pk.proto().op('K', 1, 'K', 2, '0'), 1),
                Arguments.of("POP of a bare mark", Pk.proto().op('K', 3, '(', '0'), 3),
                Arguments.of("POP_MARK", Pk.proto().op('K', 4, '(', 'K', 5, 'K', 6, '1'), 4),
                Arguments.of("APPEND", Pk.proto().op(']', 'K', 1, 'a'), List.of(1)),
                Arguments.of("DICT", Pk.proto().op('(').str("a").op('K', 1, 'd'), Map.of("a", 1)),
                Arguments.of("SETITEM", Pk.proto().op('}').str("a").op('N', 's'), Collections.singletonMap("a", null)),
                Arguments.of("EMPTY_SET ADDITEMS", Pk.proto().op(0x8f, '(', 'K', 1, 'K', 1, 'K', 2, 0x90), Set.of(1, 2)),
                Arguments.of("FROZENSET", Pk.proto().op('(', 'K', 9, 0x91), Set.of(9)),
                Arguments.of("set()", Pk.proto().global("__builtin__", "set").op(')', 'R'), Set.of()),
                Arguments.of("frozenset([1])", Pk.proto().global("builtins", "frozenset").op(']', 'K', 1, 'a', 0x85, 'R'),
                        Set.of(1)),
                Arguments.of("OrderedDict of pairs", Pk.proto().global("collections", "OrderedDict")
                        .op(']', '(').str("b").op('K', 2, 0x86, ']').str("a").op('a', 'K', 1, 'a', 'e', 0x85, 'R'),
                        Map.of("b", 2, "a", 1)),
                Arguments.of("OrderedDict()", Pk.proto().global("collections", "OrderedDict").op(')', 'R'), Map.of()),
                Arguments.of("bytes()", Pk.proto().global("builtins", "bytes").op(')', 'R'), new byte[0]),
                Arguments.of("bytes of a BINBYTES", Pk.proto().global("builtins", "bytes")
                        .counted('B', new byte[] {7}, 4).op(0x85, 'R'), new byte[] {7}),
                Arguments.of("bytearray of ints", Pk.proto().global("__builtin__", "bytearray")
                        .op(']', '(', 'K', 1, 'K', 255, 'e', 0x85, 'R'), new byte[] {1, (byte) 255}),
                Arguments.of("_codecs.encode utf-8", Pk.proto().global("_codecs", "encode").str("\u00e9").str("utf_8")
                        .op(0x86, 'R'), new byte[] {(byte) 0xc3, (byte) 0xa9}),
                Arguments.of("_codecs.encode ascii", Pk.proto().global("_codecs", "encode").str("ok").str("ASCII")
                        .op(0x86, 'R'), new byte[] {'o', 'k'}),
                Arguments.of("BUILD with (dict, slots)", Pk.proto().global("mod", "C").op(')', 'R', '}').str("a")
                        .op('K', 1, 's', '}').str("b").op('K', 2, 's', 0x86, 'b'), stateful("a", 1, "b", 2)),
                Arguments.of("BUILD with (None, slots)", Pk.proto().global("mod", "C").op(')', 'R', 'N', '}').str("b")
                        .op('K', 2, 's', 0x86, 'b'), stateful("b", 2)),
                Arguments.of("StackSummary", Pk.proto().global("traceback", "StackSummary").op(')', 'R', '}', 'b'),
                        List.of()));
    }

    private static PyObject stateful(Object... keysAndValues) {
        PyObject p = new PyObject("mod", "C", new Object[0]);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.state().put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void decodes(String name, Pk pickle, Object expected) throws Exception {
        Object value = load(pickle);
        if (expected instanceof PyObject) {
            PyObject e = (PyObject) expected;
            assertThat(value).isInstanceOfSatisfying(PyObject.class, p -> {
                assertThat(p.qualifiedName()).isEqualTo(e.qualifiedName());
                assertThat(p.args()).isEqualTo(e.args());
                assertThat(p.state()).isEqualTo(e.state());
            });
        } else {
            assertThat(value).isEqualTo(expected);
        }
    }

    @Test
    void orderIsKeptAndFrozensetsAreFrozen() throws Exception {
        Object dict = load(Pk.proto().global("collections", "OrderedDict").op(')', 'R', '(').str("z").op('K', 1).str("a")
                .op('K', 2, 'u'));
        assertThat(new ArrayList<Object>(((Map<?, ?>) dict).keySet())).containsExactly("z", "a");
        assertThat(load(Pk.proto().op('(', 'K', 9, 0x91))).isInstanceOf(FrozenSet.class);
        assertThat(load(Pk.proto().global("builtins", "set").op(']', 'K', 1, 'a', 0x85, 'R')))
                .isInstanceOf(LinkedHashSet.class);
    }

    static Stream<Arguments> refusals() {
        Pk deep = Pk.proto().op('}', 'K', 0);
        for (int i = 0; i < 200_000; i++) {
            deep.op(0x85);
        }
        deep.op('N', 's');
        return Stream.of(
                Arguments.of("STACK_GLOBAL of a non-string", Pk.proto().op('K', 1).str("x").op(0x93), "needs two strings"),
                Arguments.of("INST", Pk.proto().op('(').op('i').line("os").line("system"), "INST"),
                Arguments.of("OBJ without a class", Pk.proto().op('(', 'K', 1, 'o'), "OBJ without a class"),
                Arguments.of("OBJ of nothing", Pk.proto().op('(', 'o'), "OBJ without a class"),
                Arguments.of("REDUCE of a non-class", Pk.proto().op('K', 1, ')', 'R'), "REDUCE needs a class and a tuple, got int"),
                Arguments.of("REDUCE with a list", Pk.proto().global("mod", "C").op(']', 'R'), "got a class and list"),
                Arguments.of("ADDITEMS on a list", Pk.proto().op(']', '(', 'K', 1, 0x90), "ADDITEMS on a list"),
                Arguments.of("INT of 5000 digits", Pk.proto().op('I').line("9".repeat(5000)), "5000 digits"),
                Arguments.of("INT that is not one", Pk.proto().op('I').line("12x"), "bad integer '12x'"),
                Arguments.of("POP of nothing", Pk.proto().op('0'), "underflow"),
                Arguments.of("pop below a mark", Pk.proto().op('K', 1, '(', 0x85), "underflow"),
                Arguments.of("peek below a mark", Pk.proto().op(']', '(', 'K', 1, 'a'), "underflow"),
                Arguments.of("APPEND to nothing", Pk.proto().op('(', 'K', 1, 'a'), "underflow"),
                Arguments.of("APPENDS without a mark", Pk.proto().op(']', 'K', 1, 'e'), "no MARK"),
                Arguments.of("BINBYTES8 longer than the payload", Pk.proto().op(0x8e, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 1),
                        "declared length 65535 exceeds the"),
                Arguments.of("SETITEM on a list", Pk.proto().op(']', 'K', 1, 'K', 2, 's'), "SETITEM on a list, not a dict"),
                Arguments.of("APPEND on a dict", Pk.proto().op('}', 'K', 1, 'a'), "APPEND on a dict, not a list"),
                Arguments.of("DICT of an odd count", Pk.proto().op('(', 'K', 1, 'd'), "odd number"),
                Arguments.of("BUILD on an int", Pk.proto().op('K', 1, '}', 'b'), "BUILD on a int"),
                Arguments.of("state that is not a dict", Pk.proto().global("m", "C").op(')', 'R', 'K', 1, 'b'),
                        "state must be a dict, got int"),
                Arguments.of("attribute name not a str", Pk.proto().global("m", "C").op(')', 'R', '}', 'K', 1, 'K', 2, 's', 'b'),
                        "attribute names must be str"),
                Arguments.of("OrderedDict of triples", Pk.proto().global("collections", "OrderedDict")
                        .op(']', 'K', 1, 'K', 2, 'K', 3, 0x87, 'a', 0x85, 'R'), "(key, value) pairs"),
                Arguments.of("OrderedDict of an int", Pk.proto().global("collections", "OrderedDict").op('K', 1, 0x85, 'R'),
                        "a list of pairs"),
                Arguments.of("Decimal of an int", Pk.proto().global("decimal", "Decimal").op('K', 1, 0x85, 'R'),
                        "Decimal() takes a string"),
                Arguments.of("Decimal of 6000 digits", Pk.proto().global("decimal", "Decimal").str("1".repeat(6000))
                        .op(0x85, 'R'), "at most 5000"),
                Arguments.of("Decimal that is not one", Pk.proto().global("decimal", "Decimal").str("one").op(0x85, 'R'),
                        "Decimal() of a malformed string 'one'"),
                Arguments.of("set of an int", Pk.proto().global("builtins", "set").op('K', 1, 0x85, 'R'), "set() takes a list"),
                Arguments.of("bytes of a list of str", Pk.proto().global("builtins", "bytes").op(']').str("a")
                        .op('a', 0x85, 'R'), "takes a list of integers"),
                Arguments.of("latin1 bytes beyond U+00FF", Pk.proto().global("_codecs", "encode").str("\u20ac").str("latin1")
                        .op(0x86, 'R'), "U+20AC"),
                Arguments.of("an unknown encoding", Pk.proto().global("_codecs", "encode").str("x").str("rot13")
                        .op(0x86, 'R'), "unsupported encoding 'rot13'"),
                Arguments.of("_codecs.encode of an int", Pk.proto().global("_codecs", "encode").op('K', 1, 0x85, 'R'),
                        "with unexpected arguments"),
                Arguments.of("a key nested 200,000 tuples deep", deep, "nested too deeply"),
                Arguments.of("a tuple holding a list as a key", Pk.proto().op('}', ']', 0x85, 'N', 's'),
                        "unhashable type: 'list'"),
                Arguments.of("EXT1", Pk.proto().op(0x82, 1), "not accepted"),
                Arguments.of("a class name with a newline", Pk.proto().str("collections\nOrderedDict").str("x").op(0x93),
                        "dotted Python identifiers"),
                Arguments.of("a module name with a space", Pk.proto().global("os system", "x"), "dotted Python identifiers"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refuses(String name, Pk pickle, String message) {
        assertThatThrownBy(() -> load(pickle)).isInstanceOf(MalformedPickleException.class)
                .hasMessageContaining(message);
    }

    @Test
    void aValueReachedAgainDeepInsideIsStillTooDeep() {
        // X, 400 levels deep, is shared: at the top of one path and again under 200 more levels
        Pk p = Pk.proto().op('K', 0);
        for (int i = 0; i < 400; i++) {
            p.op(0x85);
        }
        p.op('q', 0);
        for (int i = 0; i < 200; i++) {
            p.op(0x85);
        }
        p.op('h', 0, 0x86);
        assertThatThrownBy(() -> load(p)).hasMessageContaining("nested deeper than 512");
        Pk q = Pk.proto().op('K', 0, 'q', 0);
        for (int i = 0; i < 600; i++) {
            q.op(0x85);
        }
        q.op('h', 0, 0x86);
        assertThatThrownBy(() -> load(q)).hasMessageContaining("nested deeper than 512");
    }
}
