package kaa.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.Temporal;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import kaa.rpc.internal.value.FrozenSet;
import kaa.rpc.internal.value.PyObject;
import kaa.rpc.PythonObject;
import kaa.rpc.internal.convert.ConversionException;
import kaa.rpc.internal.convert.Converters;
import kaa.rpc.internal.convert.Conversions;
import org.junit.jupiter.api.Test;

/** The proxy check and the conversion are one tree of converters: they accept and refuse the same types. */
class ConvertersTest {

    record Node(String name, List<Node> children) {
    }

    record A(B b) {
    }

    record B(A a, Runnable task) {
    }

    record Holder(List<String> names, List<Runnable> tasks) {
    }

    static final class NoDefault {
        NoDefault(int x) {
        }
    }

    static final class NoDefaultList extends ArrayList<Object> {
        NoDefaultList(int x) {
        }
    }

    public static class SelfBean {
        public SelfBean next;
        public int value;
    }

    public List<Node> nodes;
    public Map<String, Optional<Runnable>> nested;
    public Queue<String> queue;
    public List<Runnable>[] arrays;

    interface NamedSet extends Set<Object> {
    }

    abstract static class MyNumber extends Number {
    }

    public List<String> strings;
    public Map<String, Integer> stringToInt;
    public SortedMap<String, Integer> sortedStringToInt;
    public NavigableSet<Integer> navigableInts;
    public ConcurrentMap<String, Integer> concurrent;
    public Optional<Long> optionalLong;

    /** Values as the reader decodes them, of every kind. */
    private static List<Object> decodedValues() {
        Map<Object, Object> dict = new LinkedHashMap<>();
        dict.put("a", 1);
        Map<Object, Object> intKeys = new LinkedHashMap<>();
        intKeys.put(1, "a");
        return Arrays.asList(null, true, 1, 300L, BigInteger.ONE.shiftLeft(70), 1.5, "x", "xy",
                new byte[] {1}, new Object[] {1, "a"}, new Object[0], new ArrayList<>(List.of(1, 2)),
                new ArrayList<>(List.of("a")), new ArrayList<>(), dict, intKeys, new LinkedHashMap<>(),
                new LinkedHashSet<>(List.of(1)), FrozenSet.of(List.of("a")), new BigDecimal("1.5"),
                LocalDate.of(2024, 1, 1), UUID.randomUUID(), Duration.ofSeconds(1),
                new PyObject("mod", "C", new Object[0]));
    }

    /**
     * The property the proxy check rests on: a type passes {@code whyNot}
     * exactly when some decoded value converts to it, to a value of that type.
     */
    @Test
    void theCheckAcceptsExactlyTheTypesSomeValueConvertsTo() throws Exception {
        List<Type> targets = List.of(Object.class, int.class, long.class, double.class, boolean.class, char.class,
                Integer.class, Long.class, Short.class, Byte.class, Double.class, Float.class, Boolean.class,
                Character.class, Number.class, BigInteger.class, BigDecimal.class, AtomicLong.class,
                AtomicInteger.class, LongAdder.class, MyNumber.class, String.class, CharSequence.class,
                byte[].class, ByteBuffer.class, int[].class, String[].class, Object[].class, List.class,
                Collection.class, Iterable.class, ArrayList.class, Set.class, SortedSet.class, NavigableSet.class,
                AbstractSet.class, LinkedHashSet.class, NamedSet.class, Queue.class, Deque.class,
                ArrayDeque.class, Map.class, SortedMap.class, NavigableMap.class, AbstractMap.class,
                HashMap.class, ConcurrentMap.class, ConcurrentNavigableMap.class, Optional.class,
                LocalDate.class, Temporal.class, UUID.class, Duration.class, PythonObject.class, Runnable.class,
                Node.class, NoDefault.class, NoDefaultList.class, SelfBean.class, type("strings"),
                type("stringToInt"), type("sortedStringToInt"), type("navigableInts"), type("concurrent"),
                type("optionalLong"), type("nodes"), type("queue"));
        for (Type t : targets) {
            Class<?> raw = Conversions.rawClass(t);
            Object converted = null;
            for (Object value : decodedValues()) {
                try {
                    Object out = Conversions.convert(value, t);
                    if (out != null) {
                        converted = out;
                        break;
                    }
                } catch (ConversionException e) {
                    // not this one
                }
            }
            String why = Converters.whyNot(t);
            assertThat(converted != null).as("%s: whyNot says %s, a value converts to %s", t, why, converted)
                    .isEqualTo(why == null);
            if (converted != null) {
                // a primitive arrives boxed
                assertThat(raw.isPrimitive() || raw.isInstance(converted)).as("%s made %s", t, converted).isTrue();
            }
        }
        assertThat(Converters.whyNot(AtomicLong.class)).isEqualTo("is a Number no value received converts to; "
                + "declare long, int, double, BigInteger, BigDecimal or Number");
        assertThat(Converters.whyNot(ConcurrentMap.class))
                .isEqualTo("cannot be created; declare List, Set, Map or a concrete class");
        assertThatThrownBy(() -> Conversions.convert(new LinkedHashSet<>(List.of(1)), NamedSet.class))
                .isInstanceOf(ConversionException.class).hasMessageContaining("cannot create a");
    }

    private static Type type(String field) throws NoSuchFieldException {
        return ConvertersTest.class.getField(field).getGenericType();
    }

    @Test
    void aRecordThatHoldsAListOfItselfConvertsAndIsAccepted() throws Exception {
        assertThat(Converters.whyNot(Node.class)).isNull();
        assertThat(Converters.whyNot(type("nodes"))).isNull();
        Object tree = Conversions.convert(Map.of("name", "root", "children",
                List.of(Map.of("name", "leaf", "children", List.of()))), Node.class);
        assertThat(tree).isEqualTo(new Node("root", List.of(new Node("leaf", List.of()))));
    }

    @Test
    void aBeanThatHoldsItselfConverts() throws Exception {
        SelfBean b = (SelfBean) Conversions.convert(Map.of("value", 1, "next", Map.of("value", 2)), SelfBean.class);
        assertThat(b.value).isEqualTo(1);
        assertThat(b.next.value).isEqualTo(2);
        assertThat(b.next.next).isNull();
    }

    @Test
    void aCycleOfRecordsIsRefusedFromEitherEnd() {
        // asked first from B, then from A: what A holds is not cached as convertible half-way through the cycle
        assertThat(Converters.whyNot(B.class))
                .isEqualTo("(its component task is abstract: no value received converts to it)");
        assertThat(Converters.whyNot(A.class))
                .isEqualTo("(its component b (its component task is abstract: no value received converts to it))");
        assertThat(Converters.whyNot(A.class)).isEqualTo(Converters.whyNot(A.class));
    }

    @Test
    void aClassSeenTwiceIsAskedEachTime() {
        assertThat(Converters.whyNot(Holder.class)).isEqualTo(
                "(its component tasks (its java.lang.Runnable is abstract: no value received converts to it))");
    }

    @Test
    void reasonsNameThePartThatCannotConvert() throws Exception {
        assertThat(Converters.whyNot(Runnable.class)).isEqualTo("is abstract: no value received converts to it");
        assertThat(Converters.whyNot(NoDefault.class))
                .isEqualTo("is neither a value type, a record, nor a bean with a constructor without arguments");
        assertThat(Converters.whyNot(NoDefaultList.class))
                .isEqualTo("cannot be created: it has no constructor without arguments");
        assertThat(Converters.whyNot(type("queue")))
                .isEqualTo("cannot be created; declare List, Set, Map or a concrete class");
        assertThat(Converters.whyNot(type("nested"))).isEqualTo("(its java.util.Optional<java.lang.Runnable> "
                + "(its java.lang.Runnable is abstract: no value received converts to it))");
        assertThat(Converters.whyNot(type("arrays")))
                .isEqualTo("(its java.lang.Runnable is abstract: no value received converts to it)");
        assertThatThrownBy(() -> Converters.forType(Runnable.class)).isInstanceOf(ConversionException.class)
                .hasMessage("is abstract: no value received converts to it");
    }

    @Test
    void everyTypeADecodedValueConvertsToIsAccepted() throws Exception {
        for (Class<?> c : List.of(LocalDate.class, Instant.class, UUID.class, PythonObject.class, Temporal.class,
                CharSequence.class, Number.class, Short.class, Float.class, Byte.class, Object[].class)) {
            assertThat(Converters.whyNot(c)).as(c.getName()).isNull();
        }
        Instant at = Instant.parse("2024-01-02T03:04:05Z");
        assertThat(Conversions.convert(OffsetDateTime.ofInstant(at, ZoneOffset.UTC), Instant.class)).isEqualTo(at);
        assertThat(Conversions.convert(7, Short.class)).isEqualTo((short) 7);
    }

    @Test
    void aClassHasOneConverterAndAGenericTypeAnEqualOne() throws Exception {
        assertThat(Converters.forType(Node.class)).isSameAs(Converters.forType(Node.class));
        assertThat(Converters.forType(type("nodes")).type()).isEqualTo(type("nodes"));
    }

    @Test
    void aTypeThatCannotConvertStillRefusesAValueByWhatItIs() {
        // the conversion keeps its own words for a value met at such a type
        assertThatThrownBy(() -> Conversions.convert(1, Runnable.class)).isInstanceOf(ConversionException.class)
                .hasMessage("expected Runnable, got int 1");
        assertThatThrownBy(() -> Conversions.convert(Map.of("x", 1), Runnable.class))
                .isInstanceOf(ConversionException.class).hasMessageContaining("cannot create Runnable");
    }
}
