package kaa.rpc.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import kaa.rpc.PythonObject;
import kaa.rpc.internal.value.Numbers;

/**
 * Command-line values: arguments are read as JSON literals (else as plain
 * strings), and results are written as JSON, with these renderings for what
 * JSON lacks:
 * <ul>
 * <li>a tuple and a set are written as arrays;</li>
 * <li>bytes are written as {@code {"$bytes": "<base64>"}}, and that form is
 * read back as bytes;</li>
 * <li>integers are written with all their digits up to Python's limit of
 * 4,300, and larger ones, whose decimal digits cost the square of their
 * size to compute, as {@code {"$hex": "0x1f..."}} (exact, in hexadecimal);</li>
 * <li>a float that is NaN or infinite is written as {@code {"$float": "nan"}},
 * {@code "inf"} or {@code "-inf"};</li>
 * <li>a dict key that is not a string is written as its JSON text
 * ({@code {"1": ...}}); a dict where two keys would then read the same
 * ({@code {1: 'a', '1': 'b'}}) is written as {@code {"$pairs": [[1, "a"],
 * ["1", "b"]]}};</li>
 * <li>a {@code Decimal} is written as {@code {"$decimal": "1.10"}}, with
 * its digits (and NaN, infinities and signed zeros) as Python wrote them;</li>
 * <li>dates, times and durations are ISO-8601 strings
 * ({@code "2026-11-30T10:15:30+02:00"}, {@code "PT1H"}), a UUID its string;</li>
 * <li>an object of a Python class is written as its constructor arguments
 * (a namedtuple as an array of its fields), or, when it has attributes, as
 * {@code {"$class": "module.Name", ...its attributes}};</li>
 * <li>keys beginning with {@code $} are reserved for these forms: a dict key
 * or attribute name that begins with {@code $} is written with one more
 * ({@code "$bytes"} as {@code "$$bytes"}), and read back so in arguments, where
 * any other key beginning with a single {@code $} is an error.</li>
 * </ul>
 */
final class Json {

    /** Digits of a number in an argument, or printed: Python's limit for integers written as text. */
    static final int MAX_DIGITS = Numbers.MAX_INT_DIGITS;
    /** The least integer of more digits (compared by size first: cheap for any integer). */
    private static final BigInteger DIGITS_LIMIT = BigInteger.TEN.pow(MAX_DIGITS);
    /** Nesting of an argument: the library sends nothing deeper. */
    static final int MAX_DEPTH = 512;

    // integers as BigInteger first, narrowed below, so that none is ever rounded
    private static final ObjectMapper MAPPER = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxNumberLength(MAX_DIGITS).maxNestingDepth(MAX_DEPTH).build())
            .build())
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {
    }

    /**
     * An argument: a JSON literal when the text is one, else the text itself
     * as a string. A literal over the limits (a number of more than
     * {@value #MAX_DIGITS} digits, nesting deeper than {@value #MAX_DEPTH})
     * or a {@code $bytes} form that is not base64 is an error, not a string.
     *
     * @throws IllegalArgumentException saying which limit or form
     */
    static Object parseArgument(String text) {
        Object value;
        try {
            value = MAPPER.readValue(text, Object.class);
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException tooBig) {
            throw new IllegalArgumentException("argument over the limits (at most " + MAX_DIGITS
                    + " digits in a number, " + MAX_DEPTH + " levels of nesting): "
                    + Terminal.safe(text.length() > 60 ? text.substring(0, 57) + "..." : text));
        } catch (JsonProcessingException notJson) {
            return text;
        }
        return fromJson(value);
    }

    private static Object fromJson(Object value) {
        if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            if (map.size() == 1 && map.get("$bytes") instanceof String) {
                try {
                    return Base64.getDecoder().decode((String) map.get("$bytes"));
                } catch (IllegalArgumentException notBase64) {
                    throw new IllegalArgumentException("{\"$bytes\": ...} wants base64: " + notBase64.getMessage());
                }
            }
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(unescapeKey((String) k), fromJson(v)));
            return out;
        }
        if (value instanceof List) {
            List<Object> out = new ArrayList<>();
            ((List<?>) value).forEach(v -> out.add(fromJson(v)));
            return out;
        }
        if (value instanceof BigInteger && ((BigInteger) value).bitLength() < 64) {
            long l = ((BigInteger) value).longValue();
            return l == (int) l ? (Object) (int) l : (Object) l;
        }
        return value;
    }

    /** A key as written ({@code $$x} for the key {@code $x}); a lone {@code $} begins only a reserved form. */
    private static String unescapeKey(String key) {
        if (key.startsWith("$$")) {
            return key.substring(1);
        }
        if (key.startsWith("$")) {
            String shown = Terminal.safe(key.length() > 40 ? key.substring(0, 37) + "..." : key);
            throw new IllegalArgumentException("keys beginning with $ are reserved (" + shown
                    + "): write $$ for a key that begins with $");
        }
        return key;
    }

    /** A key or attribute name as written: one more {@code $} in front of one that begins with {@code $}. */
    private static String escapeKey(String key) {
        return key.startsWith("$") ? "$" + key : key;
    }

    /**
     * The longest rendering printed. JSON has no references, so a value that
     * shares its parts (as pickles may) is written out in full, and a few
     * hundred bytes can stand for more text than any terminal or file takes.
     */
    static final int MAX_CHARS = 64 << 20;

    /** A result too large to print as JSON. */
    static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("the result is too large to print as JSON (over " + MAX_CHARS
                    + " characters; it may repeat shared parts)", null, false, false);
        }
    }

    /** A result as one line of JSON, of at most {@link #MAX_CHARS} characters. */
    static String render(Object value) {
        return render(value, MAX_CHARS);
    }

    static String render(Object value, int maxChars) {
        StringBuilder sb = new StringBuilder();
        render(sb, value, maxChars);
        return sb.toString();
    }

    private static void render(StringBuilder sb, Object v, int max) {
        if (sb.length() > max) {
            throw new TooLarge();
        }
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short
                || v instanceof Byte) {
            sb.append(v);
        } else if (v instanceof BigInteger) {
            BigInteger n = (BigInteger) v;
            if (n.abs().compareTo(DIGITS_LIMIT) < 0) {
                sb.append(n);
            } else { // more digits than Python would write, and quadratic to compute: exact, and linear, in hex
                if (sb.length() + n.bitLength() / 4 > max) {
                    throw new TooLarge(); // before the text is made
                }
                sb.append("{\"$hex\": ");
                string(sb, Numbers.hex(n), max);
                sb.append('}');
            }
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d)) {
                sb.append("{\"$float\": \"nan\"}");
            } else if (Double.isInfinite(d)) {
                sb.append(d > 0 ? "{\"$float\": \"inf\"}" : "{\"$float\": \"-inf\"}");
            } else {
                sb.append(v instanceof Float ? Float.toString((Float) v) : Double.toString(d));
            }
        } else if (v instanceof BigDecimal) {
            sb.append("{\"$decimal\": ");
            // a peer's Decimal is bounded (decimalLimits); this bounds any other
            string(sb, Numbers.text((BigDecimal) v, 4 * MAX_DIGITS), max);
            sb.append('}');
        } else if (v instanceof Number) {
            sb.append(v);
        } else if (v instanceof CharSequence) { // a String, or text a String cannot hold exactly (one all the same)
            string(sb, v.toString(), max);
        } else if (v instanceof byte[]) {
            sb.append("{\"$bytes\": ");
            string(sb, Base64.getEncoder().encodeToString((byte[]) v), max);
            sb.append('}');
        } else if (v instanceof Object[]) {
            array(sb, Arrays.asList((Object[]) v), max);
        } else if (v instanceof Collection) {
            array(sb, (Collection<?>) v, max);
        } else if (v instanceof Map) {
            map(sb, (Map<?, ?>) v, max);
        } else if (v instanceof PythonObject) {
            pythonObject(sb, (PythonObject) v, max);
        } else {
            string(sb, v.toString(), max); // java.time values (ISO-8601), UUIDs
        }
    }

    private static void map(StringBuilder sb, Map<?, ?> map, int max) {
        List<String> keys = new ArrayList<>(map.size());
        Set<String> seen = new HashSet<>();
        boolean clash = false;
        long keyChars = 0; // the keys' texts are held until written: together they count against the limit
        for (Object k : map.keySet()) {
            String key = k instanceof CharSequence ? escapeKey(k.toString())
                    : render(k, (int) (max - sb.length() - keyChars));
            keyChars += key.length();
            if (sb.length() + keyChars > max) {
                throw new TooLarge();
            }
            clash |= !seen.add(key);
            keys.add(key);
        }
        if (clash) { // two keys would read the same: keep both, as pairs
            sb.append("{\"$pairs\": [");
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                sb.append(first ? "[" : ", [");
                first = false;
                render(sb, e.getKey(), max); // a value in an array: nothing to escape
                sb.append(", ");
                render(sb, e.getValue(), max);
                sb.append(']');
            }
            sb.append("]}");
            return;
        }
        sb.append('{');
        int i = 0;
        for (Object value : map.values()) {
            sb.append(i == 0 ? "" : ", ");
            string(sb, keys.get(i++), max);
            sb.append(": ");
            render(sb, value, max);
        }
        sb.append('}');
    }

    private static void pythonObject(StringBuilder sb, PythonObject o, int max) {
        if (o.className().equals("decimal.Decimal") && o.arguments().size() == 1) {
            sb.append("{\"$decimal\": ");
            render(sb, o.arguments().get(0), max);
            sb.append('}');
        } else if (o.attributes().isEmpty()) {
            array(sb, o.arguments(), max); // a namedtuple: its fields
        } else {
            sb.append("{\"$class\": ");
            string(sb, o.className(), max);
            for (Map.Entry<String, Object> e : o.attributes().entrySet()) {
                sb.append(", ");
                string(sb, escapeKey(e.getKey()), max);
                sb.append(": ");
                render(sb, e.getValue(), max);
            }
            sb.append('}');
        }
    }

    private static void array(StringBuilder sb, Collection<?> items, int max) {
        sb.append('[');
        boolean first = true;
        for (Object item : items) {
            sb.append(first ? "" : ", ");
            first = false;
            render(sb, item, max);
        }
        sb.append(']');
    }

    private static void string(StringBuilder sb, String s, int max) {
        if (sb.length() + s.length() > max) {
            throw new TooLarge();
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (Terminal.isUnsafe(c)) { // controls and bidi: valid JSON either way, harmless on a terminal
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}
