package kaa.rpc.internal.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.Year;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.stream.Stream;
import kaa.rpc.internal.value.PyObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The standard library's values as a peer may write them, well and badly:
 * what Python 2 packs into a str, what Python itself would refuse, and what
 * has no java.time counterpart. Pickles are written opcode by opcode, as a
 * hostile peer would.
 */
class StdlibValuesTest {

    private static Object load(Pk p) throws MalformedPickleException {
        return PickleReader.load(p.end());
    }

    /** {@code datetime.NAME(packed)} with the packed bytes as a Python 2 str ({@code SHORT_BINSTRING}). */
    private static Pk packedAsStr(String name, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return Pk.proto().global("datetime", name).counted('U', b, 1).op(0x85, 'R');
    }

    /** {@code datetime.NAME(packed)} with the packed bytes as Python 3 bytes ({@code SHORT_BINBYTES}). */
    private static Pk packed(String name, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return Pk.proto().global("datetime", name).counted('C', b, 1).op(0x85, 'R');
    }

    /** {@code uuid.UUID} rebuilt as Python pickles it, with {@code int} set to what {@code value} pushes. */
    private static Pk uuidWithInt(Pk value) {
        return Pk.proto().global("uuid", "UUID").op(')', 0x81, '}').str("int").append(value.bytes()).op('s', 'b');
    }

    @Test
    void aPython2DateIsReadFromItsStr() throws Exception {
        assertThat(load(packedAsStr("date", 0x07, 0xe5, 12, 31))).isEqualTo(LocalDate.of(2021, 12, 31));
    }

    @Test
    void aStrThatIsNoByteStringIsNoPackedDate() {
        Pk p = Pk.proto().global("datetime", "date").str("\u07e5\u000c\u001f\u0101").op(0x85, 'R');
        assertThatThrownBy(() -> load(p)).hasMessageContaining("date() takes its 4 packed bytes");
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("date of 3 bytes", packed("date", 0x07, 0xe5, 12), "date() takes its 4 packed bytes"),
                Arguments.of("date without bytes", Pk.proto().global("datetime", "date").op(')', 'R'),
                        "date() takes its 4 packed bytes"),
                Arguments.of("date in year 0", packed("date", 0, 0, 1, 1), "year 0 is out of range"),
                Arguments.of("date in year 10000", packed("date", 0x27, 0x10, 1, 1), "year 10000 is out of range"),
                Arguments.of("date on 30 February", packed("date", 0x07, 0xe5, 2, 30), "date(): "),
                Arguments.of("time at 25 o'clock", packed("time", 25, 0, 0, 0, 0, 0), "time(): "),
                Arguments.of("time of a million microseconds", packed("time", 1, 0, 0, 0x0f, 0x42, 0x40),
                        "microsecond 1000000 is out of range"),
                Arguments.of("datetime in month 13", packed("datetime", 0x07, 0xe5, 13, 1, 0, 0, 0, 0, 0, 0),
                        "datetime(): "),
                Arguments.of("timedelta of two numbers", Pk.proto().global("datetime", "timedelta").op('K', 1, 'K', 2,
                        0x86, 'R'), "timedelta() takes days, seconds and microseconds"),
                Arguments.of("timedelta of a float", Pk.proto().global("datetime", "timedelta")
                        .op('G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 'K', 0, 'K', 0, 0x87, 'R'), "integer days"),
                Arguments.of("timedelta of 2^70 days", Pk.proto().global("datetime", "timedelta")
                        .op(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 'K', 0, 'K', 0, 0x87, 'R'), "beyond Python's range"),
                Arguments.of("timedelta of 2^62 microseconds", Pk.proto().global("datetime", "timedelta")
                        .op('K', 0, 'K', 0, 0x8a, 8, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x87, 'R'), "beyond Python's range"),
                Arguments.of("timezone of nothing", Pk.proto().global("datetime", "timezone").op(')', 'R'),
                        "timezone() takes a timedelta and an optional name"),
                Arguments.of("timezone of a number", Pk.proto().global("datetime", "timezone").op('K', 5, 0x85, 'R'),
                        "timezone() takes a timedelta and an optional name"),
                Arguments.of("timezone named by a number", Pk.proto().global("datetime", "timezone")
                        .append(timedelta(0, 3600).bytes()).op('K', 5, 0x86, 'R'),
                        "timezone() takes a timedelta and an optional name"),
                Arguments.of("timezone of a day", Pk.proto().global("datetime", "timezone")
                        .append(timedelta(1, 0).bytes()).op(0x85, 'R'), "strictly within 24 hours"),
                Arguments.of("UUID of a negative int", uuidWithInt(new Pk().op('J', 0xff, 0xff, 0xff, 0xff)),
                        "UUID int out of range"),
                Arguments.of("UUID of 129 bits", uuidWithInt(new Pk().op(0x8a, 17).append(new byte[16]).op(1)),
                        "UUID int out of range"));
    }

    /** {@code datetime.timedelta(days, seconds, 0)}, pushed, for days below 256. */
    private static Pk timedelta(int days, int seconds) {
        return new Pk().global("datetime", "timedelta").op('K', days, 'J', seconds & 0xff, seconds >> 8 & 0xff,
                seconds >> 16 & 0xff, seconds >>> 24, 'K', 0, 0x87, 'R');
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void whatPythonWouldRefuseIsRefused(String what, Pk pickle, String message) {
        assertThatThrownBy(() -> load(pickle)).isInstanceOf(MalformedPickleException.class)
                .hasMessageContaining(message);
    }

    @Test
    void aTimezoneJavaCannotHoldStaysThePythonObjectItIs() throws Exception {
        Object named = load(Pk.proto().global("datetime", "timezone").append(timedelta(0, 3600).bytes())
                .str("CET").op(0x86, 'R'));
        assertThat(named).isInstanceOf(PyObject.class);
        assertThat(((PyObject) named).name()).isEqualTo("timezone");
        assertThat(((PyObject) named).args()).containsExactly(Duration.ofHours(1), "CET");
        // 19 hours: Python's timezone takes it, ZoneOffset stops at 18
        Object beyondJava = load(Pk.proto().global("datetime", "timezone").append(timedelta(0, 19 * 3600).bytes())
                .op(0x85, 'R'));
        assertThat(beyondJava).isInstanceOf(PyObject.class);
        assertThat(load(Pk.proto().global("datetime", "timezone").append(timedelta(0, 3600).bytes()).op(0x85, 'R')))
                .isEqualTo(ZoneOffset.ofHours(1));
    }

    @Test
    void aUuidWhoseIntIsNoIntegerStaysAnObject() throws Exception {
        Object floatInt = load(uuidWithInt(new Pk().op('G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0)));
        assertThat(floatInt).isInstanceOf(PyObject.class);
        assertThat(((PyObject) floatInt).state()).containsEntry("int", 1.5);
        assertThat(load(uuidWithInt(new Pk().op('K', 7)))).isEqualTo(new UUID(0, 7));
        assertThat(load(uuidWithInt(new Pk().op(0x8a, 17).append(new byte[15]).op(0x80, 0))))
                .isEqualTo(new UUID(Long.MIN_VALUE, 0));
    }

    @Test
    void whatPythonCannotHoldIsRefusedOnTheWayOut() {
        assertThat(StdlibValues.handles(LocalTime.NOON)).isTrue();
        assertThat(StdlibValues.handles(Duration.ZERO)).isTrue();
        assertThat(StdlibValues.handles("12:00")).isFalse();
        assertThatThrownBy(() -> StdlibValues.reduce(Duration.ofDays(1_000_000_000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beyond timedelta's range");
        assertThatThrownBy(() -> StdlibValues.reduce(LocalDate.of(10_000, 1, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot send year 10000");
        for (Object noCounterpart : new Object[] {Year.of(2021), DayOfWeek.MONDAY}) {
            assertThat(StdlibValues.handles(noCounterpart)).isTrue();
            assertThatThrownBy(() -> StdlibValues.reduce(noCounterpart)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("java.time values go as LocalDate");
        }
        assertThat(StdlibValues.reduce(ZoneOffset.ofHours(-5)))
                .isEqualTo(new Object[] {"timezone", new Object[] {Duration.ofHours(-5)}});
        assertThat(StdlibValues.reduce(Duration.ofSeconds(-1)))
                .isEqualTo(new Object[] {"timedelta", new Object[] {-1L, 86_399, 0}});
    }
}
