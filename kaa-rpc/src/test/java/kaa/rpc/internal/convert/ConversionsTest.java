package kaa.rpc.internal.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import kaa.rpc.internal.value.FrozenSet;
import kaa.rpc.internal.value.Limits;
import kaa.rpc.internal.value.PyObject;
import kaa.rpc.internal.value.Repr;
import kaa.rpc.internal.value.WorkBudget;
import kaa.rpc.internal.value.WorkLimitException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Conversion of decoded values to declared Java types, every rule and every refusal, and how values are named. */
class ValuesTest {

    record Point(int x, int y) {
    }

    record Picky(int x) {
        Picky {
            if (x < 0) {
                throw new IllegalArgumentException("x must not be negative");
            }
        }
    }

    public static class Bean {
        private String name;
        public int age;
        public final int fixed = 1;

        public void setName(String name) {
            if (name.isEmpty()) {
                throw new IllegalStateException("empty name");
            }
            this.name = name;
        }

        String name() {
            return name;
        }
    }

    public static class NoDefaultConstructor {
        public NoDefaultConstructor(int x) {
        }
    }

    enum Colour { RED, GREEN }

    /** Declared types, read from this method's parameters. */
    @SuppressWarnings("unused")
    private static void types(List<Integer> listOfInt, Map<String, Long> mapOfLong, SortedSet<String> sortedSet,
            SortedMap<String, Integer> sortedMap, Set<List<Integer>> setOfLists, Optional<Integer> optionalInt,
            List<Integer>[] arrayOfLists, List<? extends Number> wildcard, Queue<Integer> queue,
            ArrayDeque<Integer> deque, HashMap<String, Integer> hashMap, Map<List<Object>, Integer> listKeys,
            SortedSet<Object> sortedObjects, List<List<Integer>> listOfLists, List<?> unknown) {
    }

    private static Type type(String name) {
        for (Method m : ValuesTest.class.getDeclaredMethods()) {
            if (m.getName().equals("types")) {
                for (Parameter p : m.getParameters()) {
                    if (p.getName().equals(name)) {
                        return p.getParameterizedType();
                    }
                }
            }
        }
        throw new AssertionError(name);
    }

    static <T> T convert(Object value, Type type) throws ConversionException {
        @SuppressWarnings("unchecked")
        T t = (T) Conversions.convert(value, type);
        return t;
    }

    static Stream<Arguments> conversions() {
        return Stream.of(
                Arguments.of(7, int.class, 7),
                Arguments.of(7, long.class, 7L),
                Arguments.of(7, short.class, (short) 7),
                Arguments.of(7, byte.class, (byte) 7),
                Arguments.of(7, double.class, 7.0),
                Arguments.of(7, float.class, 7.0f),
                Arguments.of(7, BigInteger.class, BigInteger.valueOf(7)),
                Arguments.of(7, BigDecimal.class, BigDecimal.valueOf(7)),
                Arguments.of(1.5, BigDecimal.class, BigDecimal.valueOf(1.5)),
                Arguments.of(BigInteger.TEN.pow(30), BigDecimal.class, new BigDecimal(BigInteger.TEN.pow(30))),
                Arguments.of(BigInteger.TEN.pow(30), double.class, 1e30),
                Arguments.of(5L, Integer.class, 5),
                Arguments.of(true, boolean.class, true),
                Arguments.of("x", char.class, 'x'),
                Arguments.of('y', String.class, "y"),
                Arguments.of(null, Integer.class, null),
                Arguments.of(null, Optional.class, Optional.empty()),
                Arguments.of(3, type("optionalInt"), Optional.of(3)),
                Arguments.of("GREEN", Colour.class, Colour.GREEN),
                Arguments.of(List.of(1, 2), int[].class, new int[] {1, 2}),
                Arguments.of(new Object[] {"a"}, String[].class, new String[] {"a"}),
                Arguments.of(List.of(List.of(1)), type("arrayOfLists"), new List<?>[] {List.of(1)}),
                Arguments.of(List.of(2L), type("listOfInt"), List.of(2)),
                Arguments.of(new LinkedHashSet<>(List.of(3)), type("listOfInt"), List.of(3)),
                Arguments.of(List.of("b", "a"), type("sortedSet"), new TreeSet<>(List.of("a", "b"))),
                Arguments.of(List.of(1), type("wildcard"), List.of(1)),
                Arguments.of(List.of(1), type("deque"), new ArrayDeque<>(List.of(1))),
                Arguments.of(Map.of("a", 1), type("mapOfLong"), Map.of("a", 1L)),
                Arguments.of(Map.of("b", 2, "a", 1), type("sortedMap"), new TreeMap<>(Map.of("a", 1, "b", 2))),
                Arguments.of(Map.of("a", 1), type("hashMap"), new HashMap<>(Map.of("a", 1))),
                Arguments.of(List.of((Object) new Object[] {1}), type("setOfLists"), Set.of(List.of(1))),
                Arguments.of(Map.of(new Object[0], 1).entrySet().iterator().next().getValue(), Object.class, 1),
                Arguments.of(new byte[] {1}, ByteBuffer.class, ByteBuffer.wrap(new byte[] {1})),
                Arguments.of("\u00ff", byte[].class, new byte[] {(byte) 0xff}),
                Arguments.of(List.of(1, 2), Point.class, new Point(1, 2)),
                Arguments.of(Map.of("x", 3, "y", 4), Point.class, new Point(3, 4)),
                Arguments.of(pyObject("x", 5, "y", 6), Point.class, new Point(5, 6)),
                Arguments.of("same", CharSequence.class, "same"),
                Arguments.of(BigInteger.valueOf(5), int.class, 5),
                Arguments.of(BigInteger.valueOf(5), long.class, 5L),
                Arguments.of(BigInteger.valueOf(5), short.class, (short) 5),
                Arguments.of(BigInteger.valueOf(5), byte.class, (byte) 5),
                Arguments.of((short) 300, int.class, 300),
                Arguments.of((byte) 3, Long.class, 3L),
                Arguments.of(7L, short.class, (short) 7),
                Arguments.of(List.of("x", 1), type("unknown"), List.of("x", 1)));
    }

    private static PyObject pyObject(Object... state) {
        PyObject p = new PyObject("m", "P", new Object[0]);
        for (int i = 0; i < state.length; i += 2) {
            p.state().put((String) state[i], state[i + 1]);
        }
        return p;
    }

    @ParameterizedTest(name = "{0} to {1}")
    @MethodSource("conversions")
    void converts(Object value, Type type, Object expected) throws Exception {
        assertThat((Object) convert(value, type)).usingRecursiveComparison().isEqualTo(expected);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of(null, int.class, "expected int, got None"),
                Arguments.of(1, boolean.class, "expected boolean, got int 1"),
                Arguments.of("xy", char.class, "expected char, got str 'xy'"),
                Arguments.of("7", int.class, "expected int, got str '7'"),
                Arguments.of(true, int.class, "expected int, got bool True"),
                Arguments.of(1.5, int.class, "a float is not converted to an integer type"),
                Arguments.of(1L << 40, int.class, "out of its range"),
                Arguments.of(300, byte.class, "out of its range"),
                Arguments.of(BigInteger.TEN.pow(10), int.class, "out of its range"),
                Arguments.of(BigInteger.TEN.pow(3), byte.class, "out of its range"),
                Arguments.of(1.5, BigInteger.class, "a float is not converted"),
                Arguments.of(70000, short.class, "out of its range"),
                Arguments.of(BigInteger.TEN.pow(20), long.class, "out of its range"),
                Arguments.of(1, AtomicInteger.class, "expected AtomicInteger, got int 1"),
                Arguments.of(1, String.class, "expected String, got int 1"),
                Arguments.of(1, byte[].class, "expected byte[], got int 1"),
                Arguments.of("\u20ac", byte[].class, "U+20AC at index 0"),
                Arguments.of("BLUE", Colour.class, "expected one of [RED, GREEN]"),
                Arguments.of(1, Colour.class, "expected Colour, got int 1"),
                Arguments.of(1, int[].class, "expected int[], got int 1"),
                Arguments.of(List.of("a"), type("listOfInt"), "item 0: expected Integer, got str 'a'"),
                Arguments.of(List.of(1), type("queue"), "cannot create a Queue"),
                Arguments.of(List.of(1), List.of().getClass(), "cannot create"),
                Arguments.of(Map.of(1, 1), type("mapOfLong"), "key 1: expected String"),
                Arguments.of(Map.of("a", "b"), type("mapOfLong"), "value of key 'a': expected Long"),
                Arguments.of(1, Map.class, "expected Map, got int 1"),
                Arguments.of(List.of(1), Point.class, "expected Point (2 fields), got a sequence of 1"),
                Arguments.of(Map.of("x", 1), Point.class, "got a dict without key 'y'"),
                Arguments.of(Map.of("x", 1, "y", "z"), Point.class, "field 'y': expected int"),
                Arguments.of(List.of(-1), Picky.class, "x must not be negative"),
                Arguments.of(1, Point.class, "expected Point, got int 1"),
                Arguments.of(Map.of(1, 2), Bean.class, "got a dict with key 1"),
                Arguments.of(Map.of("nope", 2), Bean.class, "Bean has no property 'nope'"),
                Arguments.of(Map.of("", 2), Bean.class, "Bean has no property ''"),
                Arguments.of(Map.of("fixed", 2), Bean.class, "has no property 'fixed'"),
                Arguments.of(Map.of("name", ""), Bean.class, "cannot set Bean.name: IllegalStateException: empty name"),
                Arguments.of(Map.of("age", "old"), Bean.class, "field 'age': expected int"),
                Arguments.of(Map.of("x", 1), NoDefaultConstructor.class, "needs an accessible no-argument constructor"),
                Arguments.of(List.of(List.of(1), 2), type("sortedObjects"), "cannot order"));
    }

    @ParameterizedTest(name = "{0} to {1}")
    @MethodSource("refusals")
    void refuses(Object value, Type type, String message) {
        assertThatThrownBy(() -> convert(value, type)).isInstanceOf(ConversionException.class)
                .hasMessageContaining(message);
    }

    @Test
    void beansTakeSettersAndPublicFields() throws Exception {
        Bean b = convert(Map.of("name", "ann", "age", 30), Bean.class);
        assertThat(b.name()).isEqualTo("ann");
        assertThat(b.age).isEqualTo(30);
    }

    @Test
    void aPartSharedWithinAValueIsConvertedOnceForEachType() throws Exception {
        List<Object> shared = new ArrayList<>(List.of(1, 2));
        Conversions.Conversion c = Conversions.conversion(WorkBudget.forPayload(100));
        List<?> twice = (List<?>) c.convert(List.of(shared, shared), type("listOfLists"));
        assertThat(twice.get(0)).isSameAs(twice.get(1));
        int[] asInts = (int[]) c.convert(shared, int[].class);
        assertThat(c.convert(shared, int[].class)).isSameAs(asInts);
        assertThat(c.convert(shared, List.class)).isSameAs(c.convert(shared, List.class));
    }

    @Test
    void keysOfOneHashInAConvertedMapAreAFlood() {
        Map<Object, Object> flood = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            flood.put(new Object[] {"Aa".repeat(i) + "BB".repeat(19 - i)}, i);
        }
        assertThatThrownBy(() -> convert(flood, type("listKeys"))).isInstanceOf(ConversionException.class)
                .hasMessageContaining("same hash code");
    }

    @Test
    void sortedKeysArePaidForByTheirLength() {
        Map<String, Integer> many = new LinkedHashMap<>();
        String longKey = "k".repeat(100_000);
        for (int i = 0; i < 100; i++) {
            many.put(longKey + i, i);
        }
        assertThatThrownBy(() -> Conversions.conversion(WorkBudget.forPayload(1000)).convert(many, type("sortedMap")))
                .isInstanceOf(WorkLimitException.class);
    }

    @Test
    void typesAreNamedAsAReaderWritesThem() {
        assertThat(Repr.javaName(type("mapOfLong"))).isEqualTo("Map<String, Long>");
        assertThat(Repr.javaName(int[][].class)).isEqualTo("int[][]");
        assertThat(Conversions.rawClass(type("arrayOfLists"))).isEqualTo(List[].class);
        assertThat(Conversions.rawClass(type("wildcard"))).isEqualTo(List.class);
        assertThat(Conversions.rawClass(((ParameterizedType) type("wildcard"))
                .getActualTypeArguments()[0])).isEqualTo(Number.class);
        assertThat(Conversions.rawClass(List.class.getTypeParameters()[0])).isEqualTo(Object.class);
        assertThat(Conversions.box(boolean.class)).isEqualTo(Boolean.class);
        assertThat(Conversions.box(float.class)).isEqualTo(Float.class);
        assertThat(Conversions.box(short.class)).isEqualTo(Short.class);
        assertThat(Conversions.box(char.class)).isEqualTo(Character.class);
        assertThat(Conversions.box(void.class)).isEqualTo(Void.class);
        assertThat(Conversions.box(String.class)).isEqualTo(String.class);
        assertThat(Conversions.isPlain(int.class)).isTrue();
        assertThat(Conversions.isPlain(BigDecimal.class)).isTrue();
        assertThat(Conversions.isPlain(Point.class)).isFalse();
        assertThat(Conversions.isPlain(type("listOfInt"))).isFalse();
    }

    @Test
    void valuesAreNamedAsPythonNamesThem() {
        assertThat(Repr.pythonType(null)).isEqualTo("NoneType");
        assertThat(Repr.pythonType(true)).isEqualTo("bool");
        assertThat(Repr.pythonType(1L)).isEqualTo("int");
        assertThat(Repr.pythonType((short) 1)).isEqualTo("int");
        assertThat(Repr.pythonType(1.5f)).isEqualTo("float");
        assertThat(Repr.pythonType(new byte[0])).isEqualTo("bytes");
        assertThat(Repr.pythonType(new Object[0])).isEqualTo("tuple");
        assertThat(Repr.pythonType(FrozenSet.of(List.of()))).isEqualTo("frozenset");
        assertThat(Repr.pythonType(Set.of())).isEqualTo("set");
        assertThat(Repr.pythonType(new PyObject("builtins", "ValueError", new Object[0]))).isEqualTo("ValueError");
        assertThat(Repr.pythonType(new PyObject("m", "C", new Object[0]))).isEqualTo("m.C");
        assertThat(Repr.pythonType(new StringBuilder())).isEqualTo("StringBuilder");
        assertThat(Repr.describeValue(null)).isEqualTo("None");

        assertThat(Repr.repr(null)).isEqualTo("None");
        assertThat(Repr.repr(false)).isEqualTo("False");
        assertThat(Repr.repr(Double.POSITIVE_INFINITY)).isEqualTo("inf");
        assertThat(Repr.repr(Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
        assertThat(Repr.repr(2.5f)).isEqualTo("2.5");
        assertThat(Repr.repr(Colour.RED)).isEqualTo("'RED'"); // as it is sent: a str
        assertThat(Repr.repr('c')).isEqualTo("'c'");
        assertThat(Repr.repr(new byte[] {'\\', '\''})).isEqualTo("b\"\\\\'\"");
        assertThat(Repr.repr(new byte[100])).hasSize(Limits.REPR_LIMIT).endsWith("...");
        assertThat(Repr.repr(new LinkedHashSet<>())).isEqualTo("set()");
        assertThat(Repr.repr(FrozenSet.of(List.of()))).isEqualTo("frozenset()");
        assertThat(Repr.repr(new LinkedHashSet<>(List.of(1)))).isEqualTo("{1}");
        assertThat(Repr.repr(FrozenSet.of(List.of(1)))).isEqualTo("frozenset({1})");
        Map<Object, Object> wide = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            wide.put(i, i);
        }
        assertThat(Repr.repr(wide)).hasSize(Limits.REPR_LIMIT).endsWith("...");
        assertThat(Repr.repr(new StringBuilder("sb"))).isEqualTo("sb");
        assertThat(Repr.repr("x".repeat(100), 10)).isEqualTo("'xxxxxx...");
        assertThat(Repr.repr("abc", 2)).isEqualTo("'a");
    }

    @Test
    void keywordNamesMustBeStrings() throws Exception {
        assertThat(Conversions.stringKeys(Map.of("a", 1))).containsEntry("a", 1);
        assertThatThrownBy(() -> Conversions.stringKeys(Map.of(1, 1))).isInstanceOf(ConversionException.class)
                .hasMessage("keyword argument names must be str, got int 1");
    }

    @Test
    void frozenSetsCompareAsSets() {
        FrozenSet f = FrozenSet.of(List.of(1, 2));
        assertThat(f).isEqualTo(Set.of(1, 2)).hasSameHashCodeAs(Set.of(1, 2)).contains(1).doesNotContain(3);
        assertThat(f.equals(f)).isTrue();
        assertThat(f.equals(List.of(1, 2))).isFalse();
        assertThat(f.equals(Set.of(1, 3))).isFalse();
        assertThat(Arrays.asList(f.toArray())).containsExactly(1, 2);
    }
}
