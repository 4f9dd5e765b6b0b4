package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import kaa.rpc.PythonObject;
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
}
