package kaa.rpc.internal.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.atomic.AtomicLong;
import kaa.rpc.internal.value.PyObject;
import org.junit.jupiter.api.Test;

/** The edges of converting what a peer sent: Decimals Java cannot hold, unorderable keys, setters that throw. */
class ConversionEdgesTest {

    private static PyObject decimal(String text) {
        return new PyObject("decimal", "Decimal", new Object[] {text});
    }

    @Test
    void aDecimalBigDecimalCannotHoldBecomesTheNearestJavaNumber() throws Exception {
        assertThat(Conversions.convert(decimal("NaN"), double.class)).isEqualTo(Double.NaN);
        assertThat(Conversions.convert(decimal("sNaN"), Double.class)).isEqualTo(Double.NaN);
        assertThat(Conversions.convert(decimal("Infinity"), double.class)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Conversions.convert(decimal("-Infinity"), double.class)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Conversions.convert(decimal("1.25"), BigDecimal.class)).isEqualTo(new BigDecimal("1.25"));
        // not a number at all: it stays the Python object it was, which no number converts from
        assertThatThrownBy(() -> Conversions.convert(decimal("one"), double.class))
                .isInstanceOf(ConversionException.class).hasMessageStartingWith("expected double, got ");
    }

    @Test
    void noneIsNoPrimitive() {
        assertThatThrownBy(() -> Conversions.convert(null, int.class)).isInstanceOf(ConversionException.class)
                .hasMessage("expected int, got None");
    }

    public SortedSet<Object> sorted;
    public List<? extends Number> numbers;

    @Test
    void keysThatDoNotOrderAreRefusedForASortedSetByName() throws Exception {
        assertThatThrownBy(() -> Conversions.convert(List.of(1, "a"),
                ConversionEdgesTest.class.getField("sorted").getGenericType()))
                .isInstanceOf(ConversionException.class).hasMessageStartingWith("cannot order ")
                .hasMessageContaining("in a sorted set: ClassCastException");
    }

    @Test
    void aWildcardConvertsToItsBound() throws Exception {
        assertThat(Conversions.convert(List.of(1, 2.5), ConversionEdgesTest.class.getField("numbers").getGenericType()))
                .isEqualTo(List.of(1, 2.5));
    }

    /** A bean whose setter refuses what it is given. */
    public static final class Picky {
        public void setName(String name) {
            throw new IllegalStateException(name.isEmpty() ? null : "not " + name);
        }
    }

    @Test
    void aSetterThatThrowsIsNamedWithWhatItSaid() {
        assertThatThrownBy(() -> Conversions.convert(Map.of("name", "bob"), Picky.class))
                .isInstanceOf(ConversionException.class).hasMessageContaining("IllegalStateException: not bob");
        assertThatThrownBy(() -> Conversions.convert(Map.of("name", ""), Picky.class))
                .isInstanceOf(ConversionException.class).hasMessageEndingWith("IllegalStateException");
    }

    @Test
    void plainTypesAreTheJdksValuesOnly() {
        assertThat(Conversions.isPlain(BigInteger.class)).isTrue();
        assertThat(Conversions.isPlain(long.class)).isTrue();
        assertThat(Conversions.isPlain(Character.class)).isTrue();
        assertThat(Conversions.isPlain(Void.class)).isTrue();
        assertThat(Conversions.isPlain(AtomicLong.class)).isTrue(); // a JDK number: as before, no bean
        assertThat(Conversions.isPlain(Picky.class)).isFalse();
        assertThat(Conversions.isPlain(List.class)).isFalse();
    }
}
