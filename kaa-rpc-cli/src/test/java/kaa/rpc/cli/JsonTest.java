package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import kaa.rpc.PythonObject;
import kaa.rpc.internal.value.Numbers;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class JsonTest {

    private static PythonObject object(String className, List<Object> args, Map<String, Object> attributes) {
        return new PythonObject() {
            @Override
            public String className() {
                return className;
            }

            @Override
            public List<Object> arguments() {
                return args;
            }

            @Override
            public Map<String, Object> attributes() {
                return attributes;
            }
        };
    }

    @Test
    void valuesJsonLacksHaveADocumentedForm() {
        assertThat(Json.render(new BigDecimal("1.10"))).isEqualTo("{\"$decimal\": \"1.10\"}");
        assertThat(Json.render(object("decimal.Decimal", List.of("-0"), Map.of()))).isEqualTo("{\"$decimal\": \"-0\"}");
        assertThat(Json.render(LocalDate.of(2026, 11, 30))).isEqualTo("\"2026-11-30\"");
        assertThat(Json.render(OffsetDateTime.of(2026, 11, 30, 10, 15, 30, 0, ZoneOffset.ofHours(2))))
                .isEqualTo("\"2026-11-30T10:15:30+02:00\"");
        assertThat(Json.render(Duration.ofHours(1))).isEqualTo("\"PT1H\"");
        assertThat(Json.render(UUID.fromString("1b4e28ba-2fa1-11d2-883f-0016d3cca427")))
                .isEqualTo("\"1b4e28ba-2fa1-11d2-883f-0016d3cca427\"");
        assertThat(Json.render(object("__main__.Point", List.of(1, 2), Map.of()))).isEqualTo("[1, 2]");
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("x", 1);
        attributes.put("tags", List.of("a"));
        assertThat(Json.render(object("app.Track", List.of(), attributes)))
                .isEqualTo("{\"$class\": \"app.Track\", \"x\": 1, \"tags\": [\"a\"]}");
    }

    @Test
    void keysThatWouldReadTheSameAreKeptAsPairs() {
        Map<Object, Object> clash = new LinkedHashMap<>();
        clash.put(1, "a");
        clash.put("1", "b");
        assertThat(Json.render(clash)).isEqualTo("{\"$pairs\": [[1, \"a\"], [\"1\", \"b\"]]}");
        Map<Object, Object> fine = new LinkedHashMap<>();
        fine.put(1, "a");
        fine.put("2", "b");
        assertThat(Json.render(fine)).isEqualTo("{\"1\": \"a\", \"2\": \"b\"}");
    }

    @Test
    void integersBeyondPythonsDigitsAreWrittenInHex() {
        BigInteger limit = BigInteger.TEN.pow(4300).subtract(BigInteger.ONE);
        assertThat(Json.render(limit)).isEqualTo("9".repeat(4300)); // Python's limit: in full
        assertThat(Json.render(limit.negate())).isEqualTo("-" + "9".repeat(4300));
        assertThat(Json.render(limit.add(BigInteger.ONE))).isEqualTo("{\"$hex\": \""
                + Numbers.hex(limit.add(BigInteger.ONE)) + "\"}");
        BigInteger huge = BigInteger.ONE.shiftLeft(8 << 20); // a 1 MB int
        String json = Json.render(huge);
        assertThat(json).startsWith("{\"$hex\": \"0x1000").endsWith("0\"}").hasSize(14 + 1 + (8 << 20) / 4);
        assertThat(Json.render(huge.negate())).startsWith("{\"$hex\": \"-0x1000");
    }

    @Test
    void keysThatLookLikeTheReservedFormsAreEscaped() {
        Map<Object, Object> bytesLookalike = new LinkedHashMap<>();
        bytesLookalike.put("$bytes", "AP8=");
        assertThat(Json.render(bytesLookalike)).isEqualTo("{\"$$bytes\": \"AP8=\"}");
        assertThat(Json.render(new byte[] {0, (byte) 0xff})).isEqualTo("{\"$bytes\": \"AP8=\"}");
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("$class", "forged");
        attributes.put("x", 1);
        assertThat(Json.render(object("app.T", List.of(), attributes)))
                .isEqualTo("{\"$class\": \"app.T\", \"$$class\": \"forged\", \"x\": 1}");
        // and read back so in arguments
        assertThat(Json.parseArgument("{\"$$bytes\": \"AP8=\"}")).isEqualTo(bytesLookalike);
        assertThat(Json.parseArgument("{\"$bytes\": \"AP8=\"}")).isEqualTo(new byte[] {0, (byte) 0xff});
        Assertions.assertThatThrownBy(() -> Json.parseArgument("{\"$other\": 1}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keys beginning with $ are reserved");
    }

    @Test
    void theKeysOfADictCountTogetherAgainstTheLimit() {
        // keys that each render within the limit, and together far beyond: rendering stops at the limit,
        // rather than holding every key's text first (a shared part makes them gigabytes)
        int[] rendered = {0};
        List<Object> shared = Collections.nCopies(1000, "xxxxxxx");
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < 1000; i++) {
            int n = i;
            map.put(new PythonObject() {
                @Override
                public String className() {
                    return "app.Key";
                }

                @Override
                public List<Object> arguments() {
                    rendered[0]++;
                    return List.of(n, shared);
                }

                @Override
                public Map<String, Object> attributes() {
                    return Map.of();
                }
            }, n);
        }
        Assertions.assertThatThrownBy(() -> Json.render(map, 20_000))
                .isInstanceOf(Json.TooLarge.class);
        assertThat(rendered[0]).isLessThanOrEqualTo(3);
    }
}
