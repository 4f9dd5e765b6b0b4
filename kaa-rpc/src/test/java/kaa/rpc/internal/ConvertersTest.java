package kaa.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Type;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
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
