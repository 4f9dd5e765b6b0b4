package kaa.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import kaa.rpc.internal.convert.ConversionException;
import kaa.rpc.internal.convert.Conversions;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.MalformedPickleException;
import kaa.rpc.internal.pickle.PickleReader;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.Pk;
import kaa.rpc.internal.pickle.Python;
import kaa.rpc.internal.value.Numbers;
import kaa.rpc.internal.value.PyObject;
import kaa.rpc.internal.value.Repr;
import kaa.rpc.internal.value.WorkBudget;
import kaa.rpc.internal.value.WorkLimitException;
import org.junit.jupiter.api.Test;

/**
 * Values a peer sends cost what their bytes allow to render, parse and
 * compute with: big numbers are never converted whole to text to be cut
 * afterwards, and a Decimal's digits and exponent are bounded.
 */
class ValueBoundsTest {

    /** An int of {@code bytes} bytes (LONG4 binary): cheap to decode, quadratic to write in decimal. */
    private static BigInteger huge(int bytes) {
        return BigInteger.ONE.shiftLeft(bytes * 8 - 2).add(BigInteger.valueOf(12345));
    }

    private static byte[] long4(BigInteger n) {
        byte[] be = n.toByteArray();
        byte[] le = new byte[be.length];
        for (int i = 0; i < be.length; i++) {
            le[i] = be[be.length - 1 - i];
        }
        return Pk.proto().counted(0x8b, le, 4).end();
    }

    @Test
    void aHugeIntIsRenderedByItsSizeNotItsDigits() throws Exception {
        Object decoded = PickleReader.load(long4(huge(1 << 20)));
        assertThat(Repr.repr(decoded)).isEqualTo("<int of 8388607 bits>");
        assertThat(Repr.repr(((BigInteger) decoded).negate())).isEqualTo("<int of 8388607 bits, negative>");
        assertThat(Repr.describeValue(List.of(decoded))).isEqualTo("list [<int of 8388607 bits>]");
        // what fits is written in full, as before
        assertThat(Repr.repr(BigInteger.TEN.pow(40))).isEqualTo("1" + "0".repeat(40));
        assertThat(Repr.repr(new BigDecimal("-1.50"))).isEqualTo("Decimal('-1.50')");
    }

    @Test
    void theTextOfANumberIsDecidedByItsSizeAlone() {
        // the bound is never below the digits: whatever fits in the limit is written
        for (int digits = 1; digits < 200; digits++) {
            BigInteger n = BigInteger.TEN.pow(digits).subtract(BigInteger.ONE);
            assertThat(Numbers.maxChars(n)).isGreaterThanOrEqualTo(digits);
            assertThat(Numbers.maxChars(n.negate())).isGreaterThanOrEqualTo(digits + 1);
        }
        assertThat(Numbers.text(new BigDecimal(huge(1 << 16), -30_000_000), 60))
                .isEqualTo("<Decimal of 524287 bits, exponent 30000000>");
        assertThat(Numbers.hex(BigInteger.valueOf(-255))).isEqualTo("-0xff");
        assertThat(Numbers.hex(BigInteger.ZERO)).isEqualTo("0x0");
        assertThat(Numbers.hex(huge(64))).isEqualTo("0x" + huge(64).toString(16));
    }

    @Test
    void aBindingErrorForAHugeIntIsShort() throws Exception {
        Object big = PickleReader.load(long4(huge(250_000)));
        assertThatThrownBy(() -> Conversions.conversion(WorkBudget.forPayload(250_010)).convert(big, long.class))
                .isInstanceOf(ConversionException.class)
                .hasMessage("expected long, got int <int of 1999999 bits>, which is out of its range");
        // a Java caller's wording, as a proxy converting a result reports it
        assertThatThrownBy(() -> Conversions.conversion(WorkBudget.forPayload(250_010)).javaWording().convert(big, int.class))
                .hasMessage("expected int, got <int of 1999999 bits>, which is out of its range");
    }

    @Test
    void aDecimalForAnIntegerTypeIsNamedADecimal() {
        assertThatThrownBy(() -> Conversions.convert(new BigDecimal("1.5"), long.class))
                .hasMessage("expected long, got Decimal Decimal('1.5') (a Decimal is not converted to an integer type)");
        assertThatThrownBy(() -> Conversions.conversion(WorkBudget.unlimited()).javaWording().convert(new BigDecimal("1.5"),
                long.class)).hasMessage("expected long, got BigDecimal 1.5 (a BigDecimal is not converted to an "
                        + "integer type)");
        assertThatThrownBy(() -> Conversions.convert(1.5, long.class))
                .hasMessage("expected long, got float 1.5 (a float is not converted to an integer type)");
        assertThatThrownBy(() -> Conversions.convert(new PyObject("decimal", "Decimal", new Object[] {"NaN"}),
                BigDecimal.class)).hasMessage("expected BigDecimal, got Decimal Decimal('NaN'), which it "
                        + "cannot hold");
    }

    private static byte[] decimal(String text) {
        return Pk.proto().global("decimal", "Decimal").str(text).op(0x85, 'R').end();
    }

    @Test
    void aDecimalsExponentIsBounded() throws Exception {
        // 1e30000000 is a 76-byte call that makes a.add(b) take a minute: refused, naming the limit
        assertThatThrownBy(() -> PickleReader.load(decimal("1e30000000"))).isInstanceOf(MalformedPickleException.class)
                .hasMessage("Decimal() with exponent 30000000 refused (at most 5000 either way)");
        assertThatThrownBy(() -> PickleReader.load(decimal("-1.5E-30000000")))
                .hasMessage("Decimal() with exponent -30000001 refused (at most 5000 either way)");
        assertThatThrownBy(() -> PickleReader.load(decimal("1e99999999999999999999999")))
                .hasMessage("Decimal() with an exponent of 23 characters refused (at most 5000 either way)");
        // a negative zero has no BigDecimal and stays a Python object, but its exponent is checked all the same
        assertThatThrownBy(() -> PickleReader.load(decimal("-0E+30000000")))
                .hasMessage("Decimal() with exponent 30000000 refused (at most 5000 either way)");
        assertThat(PickleReader.load(decimal("-0.00"))).isInstanceOf(PyObject.class);
        assertThat(PickleReader.load(decimal("1E+5000"))).isEqualTo(new BigDecimal("1E+5000"));
        assertThat(PickleReader.load(decimal("1E-5000"))).isEqualTo(new BigDecimal("1E-5000"));
        assertThat(PickleReader.load(decimal(" 12.50 "))).isEqualTo(new BigDecimal("12.50"));
    }

    @Test
    void aDecimalOfPythonsOrdinaryDigitsPassesAndMoreIsRefused() throws Exception {
        String digits4301 = "7".repeat(4301); // legal in Python, and refused before
        assertThat(PickleReader.load(decimal(digits4301))).isEqualTo(new BigDecimal(digits4301));
        assertThat(PickleReader.load(decimal("-" + "7".repeat(2500) + "." + "7".repeat(2500))))
                .isEqualTo(new BigDecimal("-" + "7".repeat(2500) + "." + "7".repeat(2500)));
        assertThatThrownBy(() -> PickleReader.load(decimal("7".repeat(5001))))
                .hasMessage("Decimal() of 5001 digits refused (at most 5000)");
        assertThatThrownBy(() -> PickleReader.load(decimal("7".repeat(100_000))))
                .hasMessage("Decimal() of 100000 characters refused (at most 5000 digits)");
        assertThatThrownBy(() -> PickleReader.load(decimal("1.2.3"))).hasMessage("Decimal() of a malformed string '1.2.3'");
        assertThatThrownBy(() -> PickleReader.load(decimal("e5"))).hasMessageContaining("malformed");
    }

    @Test
    void whatADecimalsExponentInvitesIsPaidForByItsPayload() throws Exception {
        // one Decimal('1e5000') is fine; the same text made into a Decimal 500 times, a few bytes each, is not:
        // each may be aligned with another by a power of ten of 5,000 digits
        Pk p = Pk.proto().op(']', '(').global("decimal", "Decimal").op('q', 1).str("1e5000").op('q', 2, 0x85, 'R');
        p.times(499, () -> p.op('h', 1, 'h', 2, 0x85, 'R'));
        p.op('e');
        assertThatThrownBy(() -> PickleReader.load(p.end())).isInstanceOf(MalformedPickleException.class)
                .hasCauseInstanceOf(WorkLimitException.class);
        Pk few = Pk.proto().op(']', '(').global("decimal", "Decimal").op('q', 1).str("1e5000").op('q', 2, 0x85, 'R');
        few.times(9, () -> few.op('h', 1, 'h', 2, 0x85, 'R'));
        assertThat((List<?>) PickleReader.load(few.op('e').end())).hasSize(10);
    }

    @Test
    void decimalLimitsAreAChannelsSetting() throws Exception {
        DecimalLimits tight = new DecimalLimits(10, 3);
        ByteBuf b = Unpooled.wrappedBuffer(decimal("1e4"));
        assertThatThrownBy(() -> PickleReader.load(b, WorkBudget.forPayload(b.readableBytes()), tight))
                .hasMessage("Decimal() with exponent 4 refused (at most 3 either way)");
        ByteBuf wide = Unpooled.wrappedBuffer(decimal("1e900000"));
        assertThat(PickleReader.load(wide, WorkBudget.forPayload(wide.readableBytes()), new DecimalLimits(10, 1_000_000)))
                .isEqualTo(new BigDecimal("1e900000"));
        // the fraction's digits count: 0.00001 has exponent -5
        ByteBuf small = Unpooled.wrappedBuffer(decimal("0.00001"));
        assertThatThrownBy(() -> PickleReader.load(small, WorkBudget.forPayload(small.readableBytes()), tight))
                .hasMessage("Decimal() with exponent -5 refused (at most 3 either way)");
        assertThatThrownBy(() -> new DecimalLimits(0, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void messagesNameClassesAsAReaderKnowsThem() throws Exception {
        // a class a pickle names and never calls: Python's <class ...>, not the lambda that would build it
        Object bare = PickleReader.load(Pk.proto().global("mod", "C").end());
        assertThat(Repr.describeValue(bare)).isEqualTo("type <class 'mod.C'>");
        assertThatThrownBy(() -> Conversions.convert(bare, int.class)).hasMessage("expected int, got type <class 'mod.C'>");
        assertThat(Repr.describeJavaValue(bare)).isEqualTo("a Python class <class 'mod.C'>");
        Supplier<String> lambda = () -> "x";
        assertThat(Repr.className(lambda.getClass(), true)).isEqualTo("java.util.function.Supplier (a lambda)");
        assertThat(Repr.pythonType(lambda)).isEqualTo("Supplier (a lambda)");
        assertThat(Repr.repr(List.of(lambda))).isEqualTo("[<java.util.function.Supplier (a lambda)>]");
        assertThat(Repr.className(new Object() { }.getClass(), false)).isEqualTo("Object (an anonymous class)");
        assertThat(Repr.className(PyObject.class, true)).isEqualTo("kaa.rpc.PythonObject");
        assertThat(Repr.className(WorkLimitException.class, false)).doesNotContain("WorkLimit");
        // sending one back says what it is, in words a peer may read
        ByteBuf out = Unpooled.buffer();
        assertThatThrownBy(() -> PickleWriter.write(out, List.of(lambda)))
                .hasMessageContaining("cannot send java.util.function.Supplier (a lambda)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("$$", "0x", "ValueBoundsTest"));
        assertThatThrownBy(() -> PickleWriter.write(out, bare)).hasMessageContaining("cannot send <class 'mod.C'>");
        out.release();
    }

    @Test
    void everyRefusedPartIsNamedByItsPlace() throws Exception {
        ByteBuf out = Unpooled.buffer();
        Object bare = PickleReader.load(Pk.proto().global("mod", "C").end());
        assertThatThrownBy(() -> PickleWriter.write(out, List.of(1, new AtomicLong())))
                .hasMessage("result[1]: cannot send java.util.concurrent.atomic.AtomicLong: it is not a value type"
                        + " (send what it holds instead)");
        assertThatThrownBy(() -> PickleWriter.write(out, Map.of("k", List.of(bare))))
                .hasMessageStartingWith("result['k'][0]: cannot send <class 'mod.C'>");
        assertThatThrownBy(() -> PickleWriter.write(out, List.of(new PyObject("mod", "Obj", new Object[0]))))
                .hasMessageStartingWith("result[0]: cannot send a Python mod.Obj object");
        out.release();
    }

    @Test
    void theFuzzOracleOfWorkCatchesWhatADecimalInvites() throws Exception {
        // as decoded before the bound: a 76-byte pickle whose Decimal invites 30 million digits of alignment
        assertThatThrownBy(() -> FuzzTargets.invited(List.of(new BigDecimal("1e30000000")), 76))
                .isInstanceOf(AssertionError.class).hasMessageContaining("invite more work");
        assertThat(FuzzTargets.invited(PickleReader.load(decimal("1e5000")), 40)).isLessThan(WorkBudget.BASE_UNITS);
        assertThat(FuzzTargets.invited(PickleReader.load(long4(huge(1 << 16))), (1 << 16) + 12))
                .isLessThan(WorkBudget.BASE_UNITS + 16L * (1 << 16));
    }
}
