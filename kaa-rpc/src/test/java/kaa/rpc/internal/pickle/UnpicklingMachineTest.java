package kaa.rpc.internal.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import kaa.rpc.internal.value.FrozenSet;
import kaa.rpc.internal.value.Repr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The unpickling machine opcode by opcode: what python3 writes at every
 * protocol (0 to 5) reads back as exactly the value it was; the opcodes only
 * Python 2 or a hand writes read as Python reads them; and every malformed
 * pickle (truncated, without its mark, short of stack, with a memo index
 * never stored) is refused with a message that says so.
 */
class UnpicklingMachineTest {

    /** Python expressions and the values they must come out as. */
    private static final Object[][] VALUES = {
        {"None", null},
        {"True", true},
        {"False", false},
        {"0", 0},
        {"-1", -1},
        {"255", 255},
        {"256", 256},
        {"65535", 65535},
        {"65536", 65536},
        {"-2**31", Integer.MIN_VALUE},
        {"2**31 - 1", Integer.MAX_VALUE},
        {"2**31", 1L << 31},
        {"-2**31 - 1", -(1L << 31) - 1},
        {"2**63 - 1", Long.MAX_VALUE},
        {"-2**63", Long.MIN_VALUE},
        {"2**63", BigInteger.ONE.shiftLeft(63)},
        {"-2**63 - 1", BigInteger.ONE.shiftLeft(63).negate().subtract(BigInteger.ONE)},
        {"-(2**70)", BigInteger.ONE.shiftLeft(70).negate()},
        {"2**2100 + 1", BigInteger.ONE.shiftLeft(2100).add(BigInteger.ONE)}, // LONG4
        {"0.0", 0.0},
        {"-0.0", -0.0},
        {"1.5", 1.5},
        {"0.1", 0.1},
        {"1e100", 1e100},
        {"-1e-300", -1e-300},
        {"5e-324", Double.MIN_VALUE},
        {"1.7976931348623157e308", Double.MAX_VALUE},
        {"float('inf')", Double.POSITIVE_INFINITY},
        {"float('-inf')", Double.NEGATIVE_INFINITY},
        {"float('nan')", Double.NaN},
        {"''", ""},
        {"'a'", "a"},
        {"'caf\\u00e9 \\u20ac \\U0001f600'", "caf\u00e9 \u20ac \ud83d\ude00"},
        {"'a\\\\b\\nc\\r\\x00\\x1a\\\\u0041'", "a\\b\nc\r\u0000\u001a\\u0041"},
        {"'\\ud800'", "\ud800"},
        {"'x' * 300", "x".repeat(300)},
        {"b''", new Bytes("")},
        {"b'\\x00\\xff\\x80abc'", new Bytes("00ff80616263")},
        {"b'z' * 300", new Bytes("7a".repeat(300))},
        {"bytearray(b'ab')", new Bytes("6162")},
        {"()", new Tuple(List.of())},
        {"(1,)", new Tuple(List.of(1))},
        {"(1, 2)", new Tuple(List.of(1, 2))},
        {"(1, 2, 3)", new Tuple(List.of(1, 2, 3))},
        {"(1, 2, 3, 4)", new Tuple(List.of(1, 2, 3, 4))},
        {"((), ((),))", new Tuple(List.of(new Tuple(List.of()), new Tuple(List.of(new Tuple(List.of())))))},
        {"[]", List.of()},
        {"[1, 'a', None]", listOf(1, "a", null)},
        {"list(range(1500))", IntStream.range(0, 1500).boxed().toList()},
        {"{}", Map.of()},
        {"{'b': 1, 'a': [2]}", mapOf("b", 1, "a", List.of(2))},
        {"{i: str(i) for i in range(1500)}", bigDict()},
        {"{(1, 2): 'pair', 3.5: 'float', None: 0}", mapOf(new Tuple(List.of(1, 2)), "pair", 3.5, "float", null, 0)},
        {"set()", Set.of()},
        {"{1, 2, 3}", Set.of(1, 2, 3)},
        {"set(range(1500))", IntStream.range(0, 1500).boxed().collect(java.util.stream.Collectors.toSet())},
        {"frozenset()", new Frozen(Set.of())},
        {"frozenset({'a', 'b'})", new Frozen(Set.of("a", "b"))},
        {"{'k': [(1, 'a'), {'z': None}], 'f': frozenset({(1, 2)})}", mapOf("k", List.of(new Tuple(List.of(1, "a")),
                mapOf("z", null)), "f", new Frozen(Set.of(new Tuple(List.of(1, 2)))))},
    };

    /** {@code PICKLES[protocol][i]}: python3's pickle of {@code VALUES[i]}. */
    private static byte[][][] pickles;

    @BeforeAll
    static void pickleInPython() throws Exception {
        StringBuilder in = new StringBuilder();
        for (Object[] v : VALUES) {
            in.append(v[0]).append('\n');
        }
        List<String> hex = Python.run("import sys, pickle\n"
                + "for line in sys.stdin:\n"
                + "    v = eval(line)\n"
                + "    print(' '.join(pickle.dumps(v, p).hex() for p in range(6)))\n", in.toString());
        assertThat(hex).hasSize(VALUES.length);
        pickles = new byte[6][VALUES.length][];
        for (int i = 0; i < VALUES.length; i++) {
            String[] perProtocol = hex.get(i).split(" ");
            for (int p = 0; p < 6; p++) {
                pickles[p][i] = HexFormat.of().parseHex(perProtocol[p]);
            }
        }
    }

    static Stream<Arguments> protocols() {
        return IntStream.range(0, 6).mapToObj(Arguments::of);
    }

    @ParameterizedTest(name = "protocol {0}")
    @MethodSource("protocols")
    void readsWhatPythonWritesAtEveryProtocol(int protocol) throws Exception {
        for (int i = 0; i < VALUES.length; i++) {
            Object value = PickleReader.load(pickles[protocol][i]);
            assertThat(plain(value)).as("%s at protocol %d", VALUES[i][0], protocol).isEqualTo(VALUES[i][1]);
        }
    }

    @ParameterizedTest(name = "protocol {0}")
    @MethodSource("protocols")
    void everyTruncationOfWhatPythonWritesIsRefusedAsSuch(int protocol) {
        for (int i = 0; i < VALUES.length; i++) {
            byte[] whole = pickles[protocol][i];
            for (int n = 0; n < whole.length; n += whole.length > 400 ? 37 : 1) {
                byte[] cut = java.util.Arrays.copyOf(whole, n);
                assertThatThrownBy(() -> PickleReader.load(cut)).as("%s cut to %d bytes", VALUES[i][0], n)
                        .isInstanceOf(MalformedPickleException.class)
                        .hasMessageMatching("(truncated pickle: .*|declared length \\d+ exceeds the \\d+ bytes left.*)");
            }
        }
    }

    /** The memo: PUT/GET text at protocol 0, BINPUT/BINGET, LONG_BINPUT/LONG_BINGET past 255, MEMOIZE from 4. */
    @ParameterizedTest(name = "protocol {0}")
    @MethodSource("protocols")
    void sharedPartsComeBackShared(int protocol) throws Exception {
        List<String> hex = Python.run("import pickle, sys\n"
                + "parts = [[i] for i in range(300)]\n"
                + "t = ('t',)\n"
                + "print(pickle.dumps([parts, parts, t, t], int(sys.stdin.read())).hex())\n",
                String.valueOf(protocol));
        List<?> value = (List<?>) PickleReader.load(HexFormat.of().parseHex(hex.get(0)));
        assertThat(value.get(0)).isSameAs(value.get(1));
        List<?> parts = (List<?>) value.get(0);
        assertThat(parts).hasSize(300);
        assertThat(parts.get(299)).isEqualTo(List.of(299));
        assertThat(value.get(2)).isSameAs(value.get(3));
        if (protocol > 0) {
            assertThat(HexFormat.of().parseHex(hex.get(0))).as("the memo beyond 255").contains((byte) 'j');
        }
    }

    /** Python's pickler closes a tuple that contains itself with POP (or POP_MARK) and a GET: refused as a cycle. */
    @ParameterizedTest(name = "protocol {0}")
    @MethodSource("protocols")
    void aTupleThatContainsItselfIsRefusedAfterItsPops(int protocol) throws Exception {
        List<String> hex = Python.run("import pickle, sys\n"
                + "l = []\nt = (l, 1)\nl.append(t)\n"
                + "print(pickle.dumps(t, int(sys.stdin.read())).hex())\n", String.valueOf(protocol));
        byte[] p = HexFormat.of().parseHex(hex.get(0));
        assertThat(p).contains((byte) (protocol == 1 ? '1' : '0'));
        assertThatThrownBy(() -> PickleReader.load(p)).isInstanceOf(MalformedPickleException.class)
                .hasMessageContaining("refers to itself");
    }

    /**
     * Opcodes python3 never writes (Python 2's str, text forms, DUP), by hand,
     * each read as python3's {@code pickle.loads(..., encoding='latin1')}
     * reads it: checked against it here.
     */
    static Stream<Arguments> handWritten() {
        return Stream.of(
                Arguments.of("STRING with Python 2's escapes", p0("S'caf\\xe9 \\'q\\' \\n\\t\\\\'\n."),
                        "caf\u00e9 'q' \n\t\\"),
                Arguments.of("STRING in double quotes", p0("S\"it's\"\n."), "it's"),
                Arguments.of("STRING with octal and C escapes", p0("S'\\101\\0\\7\\a\\b\\f\\v\\\"\\777'\n."),
                        "A\u0000\u0007\u0007\b\f\u000b\"\u00ff"),
                Arguments.of("STRING with an unknown escape", p0("S'\\q'\n."), "\\q"),
                Arguments.of("SHORT_BINSTRING", Pk.proto().op('U', 3, 'a', 0xe9, 0xff).end(), "a\u00e9\u00ff"),
                Arguments.of("BINSTRING", Pk.proto().counted('T', new byte[] {(byte) 0x80}, 4).end(), "\u0080"),
                Arguments.of("UNICODE with Python 2's escapes", p0("V\\u00e9\\U0001f600\n."), "\u00e9\ud83d\ude00"),
                Arguments.of("UNICODE: an even run of backslashes escapes nothing", p0("V\\\\u0041\n."), "\\\\u0041"),
                Arguments.of("UNICODE: an odd run does", p0("V\\\\\\u0041\n."), "\\\\A"),
                Arguments.of("UNICODE: other backslashes are plain text", p0("Va\\nb\\\n."), "a\\nb\\"),
                Arguments.of("UNICODE of latin-1 bytes", Pk.proto().op('V', 0xe9, '\n', '.').bytes(), "\u00e9"),
                Arguments.of("INT 01", p0("I01\n."), true),
                Arguments.of("INT 00", p0("I00\n."), false),
                Arguments.of("INT with blanks", p0("I 7 \n."), 7),
                Arguments.of("INT beyond an int", p0("I4294967296\n."), 4294967296L),
                Arguments.of("LONG with L", p0("L-5L\n."), -5),
                Arguments.of("LONG without L", p0("L123456789012345678901234567890\n."),
                        new BigInteger("123456789012345678901234567890")),
                Arguments.of("FLOAT with a sign and an exponent", p0("F+1000.5e-01\n."), 100.05),
                Arguments.of("FLOAT infinity", p0("F-Infinity\n."), Double.NEGATIVE_INFINITY),
                Arguments.of("FLOAT nan", p0("FNaN\n."), Double.NaN),
                Arguments.of("FLOAT .5", p0("F.5\n."), 0.5),
                Arguments.of("FLOAT 5.", p0("F5.\n."), 5.0),
                Arguments.of("BINFLOAT", Pk.proto().op('G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0).end(), 1.5),
                Arguments.of("BININT is signed", Pk.proto().op('J', 0xff, 0xff, 0xff, 0xff).end(), -1),
                Arguments.of("BININT2 is not", Pk.proto().op('M', 0xff, 0xff).end(), 65535),
                Arguments.of("LONG1 of no bytes", Pk.proto().op(0x8a, 0).end(), 0),
                Arguments.of("LONG1 negative", Pk.proto().op(0x8a, 2, 0x00, 0x80).end(), -32768),
                Arguments.of("LONG1 of 8 bytes", Pk.proto().op(0x8a, 8, 0, 0, 0, 0, 0, 0, 0, 0x80).end(), Long.MIN_VALUE),
                Arguments.of("LONG1 of 9 bytes", Pk.proto().op(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0x80, 0).end(),
                        BigInteger.ONE.shiftLeft(63)),
                Arguments.of("DUP", Pk.proto().op('K', 5, '2', 0x86).end(), new Tuple(List.of(5, 5))),
                Arguments.of("LIST", p0("(I1\nI2\nl."), List.of(1, 2)),
                Arguments.of("TUPLE", p0("(I1\nS'a'\nt."), new Tuple(List.of(1, "a"))),
                Arguments.of("DICT", p0("(S'a'\nI1\nS'b'\nNd."), mapOf("a", 1, "b", null)),
                Arguments.of("PUT and GET by text", p0("(lp7\nI1\na0g7\n."), List.of(1)),
                Arguments.of("a memo index far off (100,000)", Pk.proto().op(']', 'r', 0xa0, 0x86, 1, 0, ']', 0x94, 'j', 0xa0, 0x86,
                        1, 0, 'j', 1, 0, 0, 0, 0x87).end(), new Tuple(List.of(List.of(), List.of(), List.of()))),
                Arguments.of("MEMOIZE counts the indices stored", Pk.proto().op('K', 1, 0x94, 'K', 2, 'q', 9, 'K', 3, 0x94,
                        'h', 2, 'h', 0, 'h', 9).end(), 2),
                Arguments.of("POP of a bare mark", p0("I1\n(0."), 1),
                Arguments.of("POP_MARK", p0("I1\n(I2\nI3\n1."), 1),
                Arguments.of("PROTO 5, FRAME", Pk.proto().op(0x80, 5, 0x95, 2, 0, 0, 0, 0, 0, 0, 0, 'N').end(), null),
                Arguments.of("a STOP leaves the rest of the stack", p0("I1\nI2\n."), 2));
    }

    private static byte[] p0(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("handWritten")
    void readsWhatOnlyPython2OrAHandWritesAsPythonDoes(String name, byte[] pickle, Object expected) throws Exception {
        assertThat(plain(PickleReader.load(pickle))).isEqualTo(expected);
    }

    @Test
    void python3ReadsTheHandWrittenOnesTheSame() throws Exception {
        // a str as its code points, anything else as its repr
        List<Arguments> cases = handWritten().toList();
        StringBuilder in = new StringBuilder();
        for (Arguments a : cases) {
            in.append(HexFormat.of().formatHex((byte[]) a.get()[1])).append('\n');
        }
        List<String> python = Python.run("import sys, pickle\n"
                + "for line in sys.stdin:\n"
                + "    v = pickle.loads(bytes.fromhex(line.strip()), encoding='latin1')\n"
                + "    print(repr([ord(c) for c in v]) if type(v) is str else repr(v))\n", in.toString());
        for (int i = 0; i < cases.size(); i++) {
            Object ours = PickleReader.load((byte[]) cases.get(i).get()[1]);
            String expected = ours instanceof String s ? s.codePoints().boxed().toList().toString() : Repr.repr(ours);
            assertThat(python.get(i)).as((String) cases.get(i).get()[0]).isEqualTo(expected);
        }
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("nothing at all", new byte[0], "truncated pickle: it ends before its STOP opcode"),
                Arguments.of("no STOP", Pk.proto().op('N').bytes(), "ends before its STOP"),
                Arguments.of("BININT cut", Pk.proto().op('J', 1, 2).bytes(), "truncated pickle: BININT needs 4 more bytes, 2 left"),
                Arguments.of("BINFLOAT cut", Pk.proto().op('G', 1).bytes(), "BINFLOAT needs 8 more bytes, 1 left"),
                Arguments.of("SHORT_BINUNICODE cut", Pk.proto().op(0x8c, 5, 'a').bytes(), "SHORT_BINUNICODE needs 5 more bytes"),
                Arguments.of("SHORT_BINBYTES without its length", Pk.proto().op('C').bytes(), "SHORT_BINBYTES needs 1 more bytes, 0 left"),
                Arguments.of("LONG1 cut", Pk.proto().op(0x8a, 4, 1).bytes(), "LONG1 needs 4 more bytes, 1 left"),
                Arguments.of("LONG4 longer than the payload", Pk.proto().op(0x8b, 0xff, 0xff, 0xff, 0xff).bytes(),
                        "declared length 4294967295 exceeds the 0 bytes left"),
                Arguments.of("BINUNICODE8 of 2**64 - 1", Pk.proto().op(0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff).bytes(),
                        "declared length 18446744073709551615 exceeds"),
                Arguments.of("FRAME cut", Pk.proto().op(0x95, 1, 0).bytes(), "FRAME needs 8 more bytes"),
                Arguments.of("INT without its newline", p0("I12"), "the argument of INT has no newline"),
                Arguments.of("GLOBAL without its name", p0("cbuiltins\nset"), "the argument of GLOBAL has no newline"),
                Arguments.of("TUPLE without a mark", Pk.proto().op('K', 1, 't').end(), "no MARK on the stack"),
                Arguments.of("LIST without a mark", Pk.proto().op('K', 1, 'l').end(), "no MARK on the stack"),
                Arguments.of("DICT without a mark", Pk.proto().op('d').end(), "no MARK on the stack"),
                Arguments.of("SETITEMS without a mark", Pk.proto().op('}', 'u').end(), "no MARK on the stack"),
                Arguments.of("FROZENSET without a mark", Pk.proto().op(0x91).end(), "no MARK on the stack"),
                Arguments.of("POP_MARK without a mark", Pk.proto().op('N', '1').end(), "no MARK on the stack"),
                Arguments.of("a mark taken twice", Pk.proto().op('(', 'K', 1, 't', 't').end(), "no MARK on the stack"),
                Arguments.of("STOP on nothing", Pk.proto().end(), "unpickling stack underflow"),
                Arguments.of("STOP above a mark", Pk.proto().op('N', '(').end(), "unpickling stack underflow"),
                Arguments.of("TUPLE2 of one", Pk.proto().op('N', 0x86).end(), "unpickling stack underflow"),
                Arguments.of("TUPLE3 across a mark", Pk.proto().op('N', 'N', '(', 'N', 0x87).end(), "unpickling stack underflow"),
                Arguments.of("SETITEM of nothing", Pk.proto().op('}', 's').end(), "unpickling stack underflow"),
                Arguments.of("DUP of nothing", Pk.proto().op('2').end(), "unpickling stack underflow"),
                Arguments.of("BUILD of nothing", Pk.proto().op('b').end(), "unpickling stack underflow"),
                Arguments.of("STACK_GLOBAL of one", Pk.proto().str("x").op(0x93).end(), "unpickling stack underflow"),
                Arguments.of("REDUCE of one", Pk.proto().op(')', 'R').end(), "unpickling stack underflow"),
                Arguments.of("PUT of nothing", Pk.proto().op('q', 0).end(), "unpickling stack underflow"),
                Arguments.of("MEMOIZE of nothing", Pk.proto().op(0x94).end(), "unpickling stack underflow"),
                Arguments.of("BINGET never stored", Pk.proto().op('N', 'q', 0, 'h', 1).end(), "Memo value not found at index 1"),
                Arguments.of("LONG_BINGET never stored", Pk.proto().op('j', 0xff, 0xff, 0xff, 0xff).end(),
                        "Memo value not found at index 4294967295"),
                Arguments.of("GET never stored", p0("g3\n."), "Memo value not found at index 3"),
                Arguments.of("GET of no number", p0("gx\n."), "GET needs a memo index, got 'x'"),
                Arguments.of("PUT negative", p0("N(p-1\n."), "negative PUT argument"),
                Arguments.of("PROTO 6", new Pk().op(0x80, 6, 'N').end(), "unsupported pickle protocol: 6"),
                Arguments.of("an opcode that is none", Pk.proto().op(0x99).end(), "invalid pickle opcode 0x99"),
                Arguments.of("another", Pk.proto().op(0xff).end(), "invalid pickle opcode 0xff"),
                Arguments.of("NEXT_BUFFER", new Pk().op(0x80, 5, 0x97).end(), "opcode 0x97 (NEXT_BUFFER) is not accepted"),
                Arguments.of("READONLY_BUFFER", new Pk().op(0x80, 5, 'N', 0x98).end(), "0x98 (READONLY_BUFFER) is not accepted"),
                Arguments.of("PERSID", p0("P1\n."), "opcode 0x50 (PERSID) is not accepted"),
                Arguments.of("EXT2", Pk.proto().op(0x83, 1, 0).end(), "(EXT2) is not accepted"),
                Arguments.of("EXT4", Pk.proto().op(0x84, 1, 0, 0, 0).end(), "(EXT4) is not accepted"),
                Arguments.of("NEWOBJ_EX", Pk.proto().global("m", "C").op(')', '}', 0x92).end(), "(NEWOBJ_EX) is not accepted"),
                Arguments.of("STRING unquoted", p0("Sabc\n."), "the STRING opcode argument must be quoted"),
                Arguments.of("STRING of one quote", p0("S'\n."), "must be quoted"),
                Arguments.of("STRING of mixed quotes", p0("S'abc\"\n."), "must be quoted"),
                Arguments.of("STRING with a short \\x", p0("S'\\x4'\n."), "invalid \\x escape"),
                Arguments.of("STRING ending in a backslash", p0("S'a\\'\n."), "lone backslash"),
                Arguments.of("UNICODE with a short \\u", p0("V\\u00e\n."), "truncated \\u escape"),
                Arguments.of("UNICODE beyond Unicode", p0("V\\U00110000\n."), "out of range"),
                Arguments.of("FLOAT of Java's hex", p0("F0x1p3\n."), "could not convert string to float: '0x1p3'"),
                Arguments.of("FLOAT with Java's suffix", p0("F1d\n."), "could not convert string to float"),
                Arguments.of("FLOAT of nothing", p0("F\n."), "could not convert string to float"),
                Arguments.of("FLOAT without its exponent", p0("F1e\n."), "could not convert string to float"),
                Arguments.of("FLOAT with blanks", p0("F 1.5\n."), "could not convert string to float"),
                Arguments.of("FLOAT with an underscore", p0("F1_0\n."), "could not convert string to float"),
                Arguments.of("FLOAT of a point", p0("F.\n."), "could not convert string to float"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusesWithAClearMessage(String name, byte[] pickle, String message) {
        assertThatThrownBy(() -> PickleReader.load(pickle)).isInstanceOf(MalformedPickleException.class)
                .hasMessageContaining(message);
    }

    /** Python refuses each of these too (for reasons of its own, some), so no peer can have meant them. */
    @Test
    void python3RefusesTheMalformedOnesToo() throws Exception {
        List<Arguments> cases = malformed().toList();
        StringBuilder in = new StringBuilder();
        for (Arguments a : cases) {
            in.append(HexFormat.of().formatHex((byte[]) a.get()[1])).append('\n');
        }
        List<String> python = Python.run("import sys, pickle\n"
                + "for line in sys.stdin:\n"
                + "    try:\n"
                + "        print('read', repr(pickle.loads(bytes.fromhex(line.strip()), encoding='latin1')))\n"
                + "    except Exception as e:\n"
                + "        print('refused', type(e).__name__)\n", in.toString());
        for (int i = 0; i < cases.size(); i++) {
            assertThat(python.get(i)).as((String) cases.get(i).get()[0]).startsWith("refused");
        }
    }

    /** Python's own memo is an array as long as the highest index (LONG_BINPUT 2**31 is a MemoryError there); ours is not. */
    @Test
    void aMemoIndexFarOffCostsItsEntryOnly() throws Exception {
        Pk p = Pk.proto().op(']', 'r', 0, 0, 0, 0x80, 'r', 0xff, 0xff, 0xff, 0xff, 0x94); // 2**31, 2**32 - 1, then MEMOIZE: 2
        p.op('j', 0, 0, 0, 0x80, 'j', 0xff, 0xff, 0xff, 0xff, 'h', 2, 0x87);
        Object[] t = (Object[]) PickleReader.load(p.end()); // an array to 2**32 would be an OutOfMemoryError
        assertThat(t[0]).isSameAs(t[1]).isSameAs(t[2]);
    }

    @Test
    void aRandomlyDamagedPickleIsReadOrRefusedNeverAnythingElse() {
        Random random = new Random(42);
        for (int round = 0; round < 20_000; round++) {
            byte[][] byProtocol = pickles[random.nextInt(6)];
            byte[] p = byProtocol[random.nextInt(byProtocol.length)].clone();
            for (int k = 1 + random.nextInt(3); k > 0 && p.length > 0; k--) {
                p[random.nextInt(p.length)] = (byte) random.nextInt(256);
            }
            try {
                PickleReader.load(p);
            } catch (MalformedPickleException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    // ---- values compared by what they are: a tuple is not a list, a frozenset not a set, bytes by content

    record Tuple(List<Object> items) {
    }

    record Bytes(String hex) {
    }

    record Frozen(Set<Object> items) {
    }

    private static Object plain(Object v) {
        if (v instanceof Object[] a) {
            List<Object> items = new ArrayList<>();
            for (Object o : a) {
                items.add(plain(o));
            }
            return new Tuple(items);
        }
        if (v instanceof byte[] b) {
            return new Bytes(HexFormat.of().formatHex(b));
        }
        if (v instanceof List<?> l) {
            assertThat(v).isInstanceOf(ArrayList.class);
            List<Object> items = new ArrayList<>();
            for (Object o : l) {
                items.add(plain(o));
            }
            return items;
        }
        if (v instanceof Map<?, ?> m) {
            assertThat(v).isInstanceOf(LinkedHashMap.class);
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(plain(k), plain(x)));
            return new Ordered(out);
        }
        if (v instanceof FrozenSet f) {
            return new Frozen(plainSet(f));
        }
        if (v instanceof Set<?> s) {
            assertThat(v).isInstanceOf(LinkedHashSet.class);
            return plainSet(s);
        }
        return v;
    }

    private static Set<Object> plainSet(Set<?> s) {
        Set<Object> out = new java.util.HashSet<>();
        for (Object o : s) {
            out.add(plain(o));
        }
        return out;
    }

    /** A dict, equal to a map of the same entries in the same order. */
    record Ordered(Map<Object, Object> entries) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Map<?, ?> m && new ArrayList<>(entries.entrySet()).equals(new ArrayList<>(m.entrySet()));
        }

        @Override
        public int hashCode() {
            return entries.hashCode();
        }
    }

    private static List<Object> listOf(Object... items) {
        return new ArrayList<>(java.util.Arrays.asList(items));
    }

    private static Map<Object, Object> mapOf(Object... kv) {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Map<Object, Object> bigDict() {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < 1500; i++) {
            m.put(i, String.valueOf(i));
        }
        return m;
    }
}
