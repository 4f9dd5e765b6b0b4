package kaa.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import kaa.rpc.internal.convert.Conversions;
import kaa.rpc.internal.pickle.MalformedPickleException;
import kaa.rpc.internal.pickle.PickleReader;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.Pk;
import kaa.rpc.internal.pickle.Python;
import kaa.rpc.internal.pickle.SendPolicy;
import kaa.rpc.internal.value.PyObject;
import kaa.rpc.internal.value.Repr;
import kaa.rpc.internal.value.SurrogateText;
import org.junit.jupiter.api.Test;

/**
 * Values that java.time or a Java String cannot hold exactly are kept as
 * they came or refused, never changed on the way; what Python refuses is
 * refused on reading, not on the echo.
 */
class ValuesOnTheWayTest {

    private static byte[] echo(Object value) {
        ByteBuf out = Unpooled.buffer();
        PickleWriter.write(out, value, false, SendPolicy.DEFAULT);
        byte[] b = ByteBufUtil.getBytes(out);
        out.release();
        return b;
    }

    private static Object load(String hex) throws MalformedPickleException {
        return PickleReader.load(HexFormat.of().parseHex(hex));
    }

    /** Pickles Python made (pickle.dumps, protocol 4 for fold, which protocol 2 does not carry). */
    private static final String FOLD_DATETIME = "8004952a000000000000008c086461746574696d65948c086461746574696d65949394"
            + "430a07e58b07011e0000000094859452942e";
    private static final String FOLD_TIME = "80049522000000000000008c086461746574696d65948c0474696d659493944306811e00"
            + "00000094859452942e";
    private static final String NAMED_ZONE = "8002636461746574696d650a74696d657a6f6e650a7100636461746574696d650a7469"
            + "6d6564656c74610a71014b004d201c4b0087710252710358040000004345535471048671055271062e";
    private static final String ZONE_20H = "8002636461746574696d650a74696d657a6f6e650a7100636461746574696d650a74696d"
            + "6564656c74610a71014b004a401901004b008771025271038571045271052e";
    private static final String DATETIME_20H = "8002636461746574696d650a6461746574696d650a7100635f636f646563730a656e63"
            + "6f64650a7101580b00000007c3a40102030405000006710258060000006c6174696e317103867104527105636461746574696d"
            + "650a74696d657a6f6e650a7106636461746574696d650a74696d6564656c74610a71074b004a401901004b0087710852710985"
            + "710a52710b86710c52710d2e";

    @Test
    void whatJavaTimeCannotHoldGoesBackToPythonAsItCame() throws Exception {
        List<String> names = List.of(FOLD_DATETIME, FOLD_TIME, NAMED_ZONE, ZONE_20H, DATETIME_20H);
        List<byte[]> originals = new ArrayList<>();
        List<byte[]> echoes = new ArrayList<>();
        for (String hex : names) {
            Object v = load(hex);
            assertThat(v).as(hex).isInstanceOf(PyObject.class); // kept whole, not a ZoneOffset without its name
            originals.add(HexFormat.of().parseHex(hex));
            echoes.add(echo(v));
        }
        assertThat(Python.loadsRepr(echoes)).isEqualTo(Python.loadsRepr(originals))
                .contains("datetime.datetime(2021, 11, 7, 1, 30, fold=1)", "datetime.time(1, 30, fold=1)",
                        "datetime.timezone(datetime.timedelta(seconds=7200), 'CEST')",
                        "datetime.timezone(datetime.timedelta(seconds=72000))");
        // what it can hold is still a java.time value
        assertThat(load("8002636461746574696d650a74696d657a6f6e650a7100636461746574696d650a74696d6564656c74610a"
                + "71014b004d201c4b008771025271038571045271052e")).isEqualTo(ZoneOffset.ofHours(2));
    }

    private static Pk packed(String type, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return Pk.proto().global("datetime", type).counted('B', b, 4).op(0x85, 'R');
    }

    @Test
    void whatPythonRefusesIsRefusedOnReading() {
        assertThatThrownBy(() -> PickleReader.load(packed("date", 0, 0, 1, 1).end()))
                .hasMessageContaining("date(): year 0 is out of range");
        assertThatThrownBy(() -> PickleReader.load(packed("datetime", 0, 0, 1, 1, 0, 0, 0, 0, 0, 0).end()))
                .hasMessageContaining("datetime(): year 0 is out of range");
        assertThatThrownBy(() -> PickleReader.load(packed("date", 7, 0xe4, 0x81, 1).end())) // a date has no fold
                .hasMessageContaining("date(): Invalid value for MonthOfYear");
        // 0xffffff microseconds: reported as they came, not as an int's overflow of them in nanoseconds
        assertThatThrownBy(() -> PickleReader.load(packed("time", 1, 2, 3, 0xff, 0xff, 0xff).end()))
                .hasMessageContaining("time(): microsecond 16777215 is out of range (0 to 999999)");
        assertThatThrownBy(() -> PickleReader.load(packed("datetime", 7, 0xe4, 1, 1, 0, 0, 0, 0xff, 0xff, 0xff).end()))
                .hasMessageContaining("datetime(): microsecond 16777215 is out of range");
    }

    private static Pk timedelta(Pk days) {
        return Pk.proto().global("datetime", "timedelta").append(days.bytes()).op('K', 0, 'K', 0, 0x87, 'R');
    }

    @Test
    void aTimedeltaTakesIntegersWithinPythonsRange() throws Exception {
        // timedelta(1.5) would be a day and a half in Python: never one day
        assertThatThrownBy(() -> PickleReader.load(timedelta(new Pk().op('G').append(new byte[] {0x3f, (byte) 0xf8,
            0, 0, 0, 0, 0, 0})).end())).hasMessageContaining("timedelta() takes integer days, seconds and "
                    + "microseconds, got float 1.5");
        assertThatThrownBy(() -> PickleReader.load(timedelta(new Pk().op('G').append(new byte[] {0x7f, (byte) 0xf8,
            0, 0, 0, 0, 0, 0})).end())).hasMessageContaining("got float nan");
        assertThatThrownBy(() -> PickleReader.load(timedelta(new Pk().op('J', 0x00, 0xca, 0x9a, 0x3b)).end()))
                .hasMessageContaining("beyond Python's range (999999999 days either way)");
        assertThatThrownBy(() -> PickleReader.load(timedelta(new Pk().op('L').line("99999999999999999999999")).end()))
                .hasMessageContaining("beyond Python's range");
        assertThat(PickleReader.load(timedelta(new Pk().op('J', 0xff, 0xc9, 0x9a, 0x3b)).end()))
                .isEqualTo(Duration.ofDays(999_999_999));
        assertThat(PickleReader.load(timedelta(new Pk().op('K', 2)).end())).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void aZoneOfADayOrMoreIsRefusedAsPythonRefusesIt() {
        Pk day = Pk.proto().global("datetime", "timezone").global("datetime", "timedelta")
                .op('K', 1, 'K', 0, 'K', 0, 0x87, 'R', 0x85, 'R');
        assertThatThrownBy(() -> PickleReader.load(day.end())).hasMessageContaining("strictly within 24 hours");
    }

    @Test
    void textIsReadAsPythonReadsItOrRefused() throws Exception {
        // two lone surrogates: two code points in Python, one astral char in a Java String, which would go back
        // as F0 90 80 80; kept as they came, beside a real astral char, which is one
        byte[] pair = {(byte) 0xed, (byte) 0xa0, (byte) 0x80, (byte) 0xed, (byte) 0xb0, (byte) 0x80, (byte) 0xf0,
            (byte) 0x90, (byte) 0x80, (byte) 0x80};
        for (Pk p : List.of(Pk.proto().counted('X', pair, 4), Pk.proto().op(0x8c, pair.length).append(pair))) {
            Object text = PickleReader.load(p.end());
            assertThat(text).isInstanceOf(SurrogateText.class).hasToString("\ud800\udc00\ud800\udc00")
                    .isNotEqualTo(PickleReader.load(Pk.proto().counted('X', "\ud800\udc00\ud800\udc00"
                            .getBytes(StandardCharsets.UTF_8), 4).end()));
            assertThat(echo(text)).containsSubsequence(pair);
            assertThat(Conversions.convert(text, String.class)).isEqualTo("\ud800\udc00\ud800\udc00");
            assertThat(Repr.repr(text)).isEqualTo("'\\ud800\\udc00\ud800\udc00'"); // as Python shows it
        }
        // Python reads the echo as it wrote it: two code points, then one
        Object text = PickleReader.load(Pk.proto().counted('X', pair, 4).end());
        assertThat(Python.loadsRepr(List.of(echo(text)))).containsExactly("'\\ud800\\udc00\ud800\udc00'");
        assertThat(Python.loadsRepr(List.of(echo(List.of(text, text))))).containsExactly(
                "['\\ud800\\udc00\ud800\udc00', '\\ud800\\udc00\ud800\udc00']");
        // protocol 0 text does not say which pairs were two: refused
        assertThatThrownBy(() -> PickleReader.load(Pk.proto().op('V').line("\\ud800\\udc00").end()))
                .hasMessageContaining("a lone high surrogate followed by a lone low one in protocol 0 text");
        // invalid UTF-8, which Python refuses too: never U+FFFD
        assertThatThrownBy(() -> PickleReader.load(Pk.proto().counted('X', new byte[] {'a', (byte) 0xff}, 4).end()))
                .hasMessageContaining("invalid UTF-8 in a string: byte 0xff at index 1");
        assertThatThrownBy(() -> PickleReader.load(Pk.proto().op(0x8c, 2, 'a', 0xc3).end()))
                .hasMessageContaining("invalid UTF-8");
        assertThatThrownBy(() -> PickleReader.load(Pk.proto().counted('X', new byte[] {(byte) 0xc0, (byte) 0x80}, 4)
                .end())).hasMessageContaining("invalid UTF-8"); // overlong
        // what Python reads is read: lone surrogates alone or apart, a real U+FFFD, a real astral char
        byte[] apart = {(byte) 0xed, (byte) 0xb0, (byte) 0x80, (byte) 0xed, (byte) 0xa0, (byte) 0x80};
        assertThat(PickleReader.load(Pk.proto().counted('X', apart, 4).end())).isEqualTo("\udc00\ud800");
        byte[] mixed = "\ufffd\ud83d\ude00".getBytes(StandardCharsets.UTF_8);
        assertThat(PickleReader.load(Pk.proto().counted('X', mixed, 4).end())).isEqualTo("\ufffd\ud83d\ude00");
        Object lone = PickleReader.load(Pk.proto().counted('X', new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80,
            'x'}, 4).end());
        assertThat(lone).isEqualTo("\ud800x");
        assertThat(echo(lone)).containsSubsequence((byte) 0xed, (byte) 0xa0, (byte) 0x80, (byte) 'x');
    }

    @Test
    void aDatetimeWithAZoneOfRulesIsNotPassedOn() throws Exception {
        // pytz: the zone is a call of pytz._p, an object of a class the library does not map: refused on the echo
        Pk pytz = Pk.proto().global("datetime", "datetime").counted('B', new byte[] {7, (byte) 0xe4, 1, 1, 0, 0, 0,
            0, 0, 0}, 4).global("pytz", "_p").op('(').str("Europe/Paris").op('M', 0x10, 0x0e, 'K', 0).str("CET")
                .op('t', 'R', 0x86, 'R');
        Object fromPytz = PickleReader.load(pytz.end());
        assertThat(fromPytz).isInstanceOf(PyObject.class);
        assertThatThrownBy(() -> echo(fromPytz)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot send a Python pytz._p object");
        // zoneinfo: pickled as a call of getattr(ZoneInfo, '_unpickle'), which is no class: refused on reading
        String zoneinfo = "8002636461746574696d650a6461746574696d650a7100635f636f646563730a656e636f64650a7101580b00000007c3"
                + "a40101000000000000710258060000006c6174696e317103867104527105635f5f6275696c74696e5f5f0a6765746174"
                + "74720a7106637a6f6e65696e666f0a5a6f6e65496e666f0a710758090000005f756e7069636b6c65710886710952710a"
                + "580c0000004575726f70652f5061726973710b4b0186710c52710d86710e52710f2e";
        assertThatThrownBy(() -> load(zoneinfo)).isInstanceOf(MalformedPickleException.class)
                .hasMessageContaining("REDUCE needs a class");
    }
}
