package kaa.rpc.internal.value;

import java.lang.reflect.Array;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.security.CodeSource;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * How messages show values and types: Python's {@code repr} of a value, cut
 * short, its Python type name, and Java types as a reader names them. The
 * work is bounded by the length asked for, never by the value.
 */
public final class Repr {

    /** Where this library's classes come from: its internal package there is not API (its tests' is). */
    private static final CodeSource OURS = Repr.class.getProtectionDomain().getCodeSource();

    private Repr() {
    }

    /** The Java type as a reader writes it: {@code int}, {@code String}, {@code List}, {@code byte[]}. */
    public static String javaName(Type type) {
        if (type instanceof Class) {
            Class<?> c = (Class<?>) type;
            return c.isArray() ? javaName(c.getComponentType()) + "[]" : className(c, false);
        }
        return type.getTypeName().replaceAll("\\b[a-z][a-z0-9_]*\\.", "");
    }

    /**
     * How a message names class {@code c} (qualified or simple): by its own
     * name, or, for a class whose name says nothing or must not leave this
     * process (a lambda's hidden class, whose name carries an address, an
     * anonymous class, a proxy, a class internal to this library), by the
     * interface or superclass it stands for: {@code Supplier (a lambda)}.
     */
    public static String className(Class<?> c, boolean qualified) {
        Class<?> named = c;
        while (isUnnamed(named)) {
            Class<?> standsFor = named.getSuperclass() == null ? Object.class : named.getSuperclass();
            for (Class<?> i : named.getInterfaces()) {
                if (!isUnnamed(i)) {
                    standsFor = i;
                    break;
                }
            }
            named = standsFor;
        }
        String name = qualified ? named.getName() : named.getSimpleName();
        if (c.isHidden() || c.isSynthetic()) {
            return name + " (a lambda)";
        }
        if (c.isAnonymousClass()) {
            return name + " (an anonymous class)";
        }
        return Proxy.isProxyClass(c) ? name + " (a proxy)" : name;
    }

    private static boolean isUnnamed(Class<?> c) {
        return c.isHidden() || c.isSynthetic() || c.isAnonymousClass() || Proxy.isProxyClass(c) || isInternal(c);
    }

    private static boolean isInternal(Class<?> c) {
        return c.getPackageName().equals(Repr.class.getPackageName())
                && Objects.equals(c.getProtectionDomain().getCodeSource(), OURS);
    }

    /** A value as a Java reader names it: {@code null}, {@code String "x"}, {@code Integer 5}, {@code ArrayList [1, 2]}. */
    public static String describeJavaValue(Object value) {
        switch (ValueKind.of(value)) {
            case NONE:
                return "null";
            case PY_OBJECT:
                return "a Python " + ((PyObject) value).qualifiedName();
            case PY_CLASS:
                return "a Python class " + value;
            case DECIMAL: // as Java writes them, not as they are sent
                return javaName(value.getClass()) + " " + Numbers.text((BigDecimal) value, Limits.REPR_LIMIT);
            case ENUM:
                return javaName(value.getClass()) + " " + ((Enum<?>) value).name();
            default:
                return value instanceof String ? "String \"" + truncate((String) value, Limits.REPR_LIMIT) + "\""
                        : javaName(value.getClass()) + " " + repr(value);
        }
    }

    /** A value as a Python reader names it: {@code None}, {@code str 'x'}, {@code int 5}. */
    public static String describeValue(Object value) {
        return value == null ? "None" : pythonType(value) + " " + repr(value);
    }

    /** The Python type name of a value: {@code int}, {@code dict}, {@code datetime}, or its Java class's. */
    public static String pythonType(Object value) {
        switch (ValueKind.of(value)) {
            case NONE:
                return "NoneType";
            case BOOL:
                return "bool";
            case INT:
            case BIG_INT:
                return "int";
            case FLOAT:
                return "float";
            case DECIMAL:
                return "Decimal";
            case STR:
                return "str";
            case BYTES:
                return "bytes";
            case TUPLE:
                return "tuple";
            case LIST:
                return "list";
            case FROZENSET:
                return "frozenset";
            case SET:
                return "set";
            case DICT:
                return "dict";
            case PY_OBJECT:
                String name = ((PyObject) value).qualifiedName();
                return name.equals("decimal.Decimal") ? "Decimal" : name;
            case UUID:
                return "UUID";
            case PY_CLASS:
                return "type";
            case DATETIME:
                String time = timeType(value);
                if (time != null) {
                    return time;
                }
                break;
            default:
                break;
        }
        return className(value.getClass(), false);
    }

    private static String timeType(Object value) {
        if (value instanceof LocalDate) {
            return "date";
        }
        if (value instanceof LocalDateTime || value instanceof OffsetDateTime || value instanceof ZonedDateTime
                || value instanceof Instant) {
            return "datetime";
        }
        if (value instanceof LocalTime || value instanceof OffsetTime) {
            return "time";
        }
        if (value instanceof Duration) {
            return "timedelta";
        }
        return value instanceof ZoneOffset ? "timezone" : null;
    }

    /** A short rendering of a value for error messages, as Python's {@code repr}, cut at {@link Limits#REPR_LIMIT}. */
    public static String repr(Object value) {
        return repr(value, Limits.REPR_LIMIT);
    }

    /**
     * A rendering of {@code value} as Python's {@code repr}, cut at {@code max}
     * characters (ending in {@code ...} when cut). The work is bounded by
     * {@code max}, not by the value: the walk stops as soon as the text is long
     * enough, so a value that shares its parts a billion times costs no more
     * than a short one.
     */
    public static String repr(Object value, int max) {
        StringBuilder sb = new StringBuilder(Math.min(max + 1, 256));
        render(sb, value, max + 1);
        if (sb.length() <= max) {
            return sb.toString();
        }
        return max < 4 ? sb.substring(0, max) : sb.substring(0, max - 3) + "...";
    }

    /** {@code text} itself if it has at most {@code max} characters, else its start and how much was left out. */
    public static String truncate(String text, int max) {
        return text.length() <= max ? text
                : text.substring(0, max) + "... (" + (text.length() - max) + " more characters)";
    }

    private static void render(StringBuilder sb, Object v, int limit) {
        if (sb.length() >= limit) {
            return;
        }
        switch (ValueKind.of(v)) {
            case NONE:
                sb.append("None");
                return;
            case BOOL:
                sb.append((Boolean) v ? "True" : "False");
                return;
            case FLOAT:
                sb.append(floatRepr(((Number) v).doubleValue()));
                return;
            case INT:
            case BIG_INT:
                renderText(sb, v, limit);
                return;
            case DECIMAL:
                String digits = Numbers.text((BigDecimal) v, Math.max(0, limit - sb.length()));
                // the bounded form of a huge one is no Decimal literal: shown bare
                sb.append(digits.startsWith("<") ? digits : "Decimal('" + digits + "')");
                return;
            case STR:
            case CHAR:
            case CHARS:
            case ENUM: // the last three as they are sent: a str
                renderStr(sb, text(v), limit);
                return;
            case BYTES:
                renderBytes(sb, (byte[]) v, 0, ((byte[]) v).length, limit);
                return;
            case BYTE_BUFFER:
                ByteBuffer buffer = (ByteBuffer) v;
                if (buffer.hasArray()) {
                    renderBytes(sb, buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining(), limit);
                } else { // only the bytes that can show are copied
                    byte[] head = new byte[Math.min(buffer.remaining(), limit)];
                    buffer.duplicate().get(head);
                    renderBytes(sb, head, 0, head.length, limit);
                }
                return;
            case OPTIONAL:
                render(sb, ((Optional<?>) v).orElse(null), limit);
                return;
            case TUPLE:
                Object[] items = (Object[]) v;
                renderItems(sb, Arrays.asList(items), "(", items.length == 1 ? ",)" : ")", limit);
                return;
            case LIST:
                renderItems(sb, (Collection<?>) v, "[", "]", limit);
                return;
            case SET:
            case FROZENSET:
                String kind = v instanceof FrozenSet ? "frozenset" : "set";
                if (((Set<?>) v).isEmpty()) {
                    sb.append(kind).append("()");
                } else {
                    renderItems(sb, (Set<?>) v, v instanceof FrozenSet ? "frozenset({" : "{",
                            v instanceof FrozenSet ? "})" : "}", limit);
                }
                return;
            case DICT:
                renderDict(sb, (Map<?, ?>) v, limit);
                return;
            case PY_OBJECT:
                renderObject(sb, (PyObject) v, limit);
                return;
            case UUID:
                sb.append("UUID('").append(v).append("')");
                return;
            case DATETIME:
                renderTime(sb, v, limit);
                return;
            case PRIMITIVE_ARRAY: // a list, as it is sent (never [I@1b6d3586)
                int n = Array.getLength(v);
                List<Object> elements = new ArrayList<>(Math.min(n, limit));
                for (int i = 0; i < n && i < limit; i++) {
                    elements.add(Array.get(v, i));
                }
                renderItems(sb, elements, "[", "]", limit);
                return;
            case PY_CLASS:
                renderText(sb, v, limit);
                return;
            default:
                if (v instanceof Number || !isUnnamed(v.getClass())) {
                    renderText(sb, v, limit);
                } else { // a lambda's toString carries its class's address: named by what it stands for
                    sb.append('<').append(className(v.getClass(), true)).append('>');
                }
        }
    }

    private static CharSequence text(Object v) {
        if (v instanceof char[]) {
            return CharBuffer.wrap((char[]) v);
        }
        return v instanceof Enum ? ((Enum<?>) v).name() : v instanceof CharSequence ? (CharSequence) v : v.toString();
    }

    /** A value's own text, cut to what is left; a peer's big number is never made whole to be cut afterwards. */
    private static void renderText(StringBuilder sb, Object v, int limit) {
        int room = Math.max(0, limit - sb.length());
        String text = v instanceof Number ? Numbers.text((Number) v, room) : String.valueOf(v);
        sb.append(text, 0, Math.min(text.length(), room));
    }

    /**
     * Python's {@code repr(float)}: the shortest digits that read back as the
     * same double ({@code Double.toString} on Java 17 is not always the
     * shortest, and writes {@code 1.0E16} where Python writes {@code 1e+16}),
     * in positional notation for exponents from -4 to 15.
     */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        String sign = d < 0 || d == 0 && 1 / d < 0 ? "-" : "";
        if (d == 0) {
            return sign + "0.0";
        }
        BigDecimal shortest = shortest(Math.abs(d));
        String digits = shortest.unscaledValue().toString();
        int point = digits.length() - shortest.scale(); // the value is 0.<digits> * 10^point
        if (point <= -4 || point > 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            int exponent = point - 1;
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "")
                    + Math.abs(exponent);
        }
        if (point <= 0) {
            return sign + "0." + "0".repeat(-point) + digits;
        }
        if (point >= digits.length()) {
            return sign + digits + "0".repeat(point - digits.length()) + ".0";
        }
        return sign + digits.substring(0, point) + "." + digits.substring(point);
    }

    /**
     * The fewest significant digits that read back as {@code d} (positive and
     * finite), the nearer of the two roundings when both do. The exact value
     * (up to 767 digits for a subnormal) is rounded once each way to 17
     * digits, and the shorter roundings are taken from those: rounding down
     * (or up) twice is rounding down (or up) once.
     */
    private static BigDecimal shortest(double d) {
        BigDecimal exact = new BigDecimal(d);
        BigDecimal floor17 = exact.round(new MathContext(17, RoundingMode.FLOOR));
        BigDecimal ceiling17 = exact.round(new MathContext(17, RoundingMode.CEILING));
        for (int precision = 1; precision < 17; precision++) {
            BigDecimal down = floor17.round(new MathContext(precision, RoundingMode.FLOOR));
            BigDecimal up = ceiling17.round(new MathContext(precision, RoundingMode.CEILING));
            boolean downFits = Double.parseDouble(down.toString()) == d;
            boolean upFits = Double.parseDouble(up.toString()) == d;
            if (downFits && upFits) { // the nearer; on a tie, the one ending in an even digit, as Python's
                int nearer = exact.subtract(down).compareTo(up.subtract(exact));
                boolean takeDown = nearer < 0 || nearer == 0 && !down.unscaledValue().testBit(0);
                return (takeDown ? down : up).stripTrailingZeros();
            }
            if (downFits || upFits) {
                return (downFits ? down : up).stripTrailingZeros();
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    }

    /**
     * Python's {@code repr(str)}: in double quotes when it holds a single
     * quote and no double one; backslash escapes for the quote, {@code \\},
     * tab, newline and return, {@code \xNN}, {@code \}{@code uNNNN} or
     * {@code \UNNNNNNNN} for what Python's {@code str.isprintable} refuses.
     * Only the part that can show is read, the quote chosen on it when the
     * text is too long to show whole (it is cut then).
     */
    private static void renderStr(StringBuilder sb, CharSequence s, int limit) {
        int shown = Math.min(s.length(), Math.max(0, limit - sb.length()));
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < shown; i++) {
            single |= s.charAt(i) == '\'';
            dbl |= s.charAt(i) == '"';
        }
        char quote = single && !dbl ? '"' : '\'';
        SurrogateText split = s instanceof SurrogateText ? (SurrogateText) s : null;
        sb.append(quote);
        for (int i = 0; i < shown && sb.length() < limit; i++) {
            char c = s.charAt(i);
            int cp = c;
            // a pair that came as two code points stays two, as in Python
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                    && (split == null || !split.splitAt(i))) {
                cp = Character.toCodePoint(c, s.charAt(++i));
            }
            if (cp == quote || cp == '\\') {
                sb.append('\\').append((char) cp);
            } else if (cp == '\t') {
                sb.append("\\t");
            } else if (cp == '\n') {
                sb.append("\\n");
            } else if (cp == '\r') {
                sb.append("\\r");
            } else if (cp < 0x20 || cp == 0x7f || cp >= 0x80 && !isPrintable(cp)) {
                sb.append(cp <= 0xff ? "\\x" : cp <= 0xffff ? "\\u" : "\\U");
                String hex = Integer.toHexString(cp);
                sb.append("0".repeat((cp <= 0xff ? 2 : cp <= 0xffff ? 4 : 8) - hex.length())).append(hex);
            } else {
                sb.appendCodePoint(cp);
            }
        }
        if (sb.length() < limit) {
            sb.append(quote);
        }
    }

    /** Python's {@code str.isprintable} for one code point: not a control, format, private, unassigned or separator. */
    private static boolean isPrintable(int cp) {
        switch (Character.getType(cp)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.SURROGATE:
            case Character.PRIVATE_USE:
            case Character.UNASSIGNED:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SPACE_SEPARATOR:
                return cp == ' ';
            default:
                return true;
        }
    }

    /** Python's {@code repr(bytes)}: the quote chosen as for a str, {@code \t \n \r \xNN} for the rest. */
    private static void renderBytes(StringBuilder sb, byte[] bytes, int from, int length, int limit) {
        int shown = Math.min(length, Math.max(0, limit - sb.length()));
        boolean single = false;
        boolean dbl = false;
        for (int i = from; i < from + shown; i++) {
            single |= bytes[i] == '\'';
            dbl |= bytes[i] == '"';
        }
        char quote = single && !dbl ? '"' : '\'';
        sb.append('b').append(quote);
        for (int i = from; i < from + shown && sb.length() < limit; i++) {
            int b = bytes[i] & 0xff;
            if (b == quote || b == '\\') {
                sb.append('\\').append((char) b);
            } else if (b == '\t') {
                sb.append("\\t");
            } else if (b == '\n') {
                sb.append("\\n");
            } else if (b == '\r') {
                sb.append("\\r");
            } else if (b < 0x20 || b >= 0x7f) {
                sb.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            } else {
                sb.append((char) b);
            }
        }
        if (sb.length() < limit) {
            sb.append(quote);
        }
    }

    /**
     * An object as {@code module.name(args)}; a {@code Decimal} Java holds no
     * BigDecimal for (NaN, -0) and a {@code traceback.FrameSummary} as
     * Python's own repr shows them.
     */
    private static void renderObject(StringBuilder sb, PyObject p, int limit) {
        if (p.module().equals("traceback") && p.name().equals("FrameSummary")) {
            Map<String, Object> state = p.state();
            sb.append("<FrameSummary file ");
            renderField(sb, state.get("filename"), limit);
            sb.append(", line ");
            renderField(sb, state.get("lineno"), limit);
            sb.append(" in ");
            renderField(sb, state.get("name"), limit);
            sb.append('>');
            return;
        }
        String name = p.module().equals("decimal") && p.name().equals("Decimal") ? "Decimal" : p.qualifiedName();
        sb.append(name, 0, Math.min(name.length(), Math.max(0, limit - sb.length()))); // a peer chose its length
        if (sb.length() >= limit) {
            return;
        }
        renderItems(sb, Arrays.asList(p.args()), "(", ")", limit);
    }

    /**
     * A field of an object as Python's {@code str} formats it: text as it is,
     * a number by its digits, anything else (a peer may put anything there)
     * by the bounded walk, never by its own {@code toString}.
     */
    private static void renderField(StringBuilder sb, Object v, int limit) {
        if (v instanceof CharSequence || v instanceof Number) {
            renderText(sb, v, limit);
        } else {
            render(sb, v, limit);
        }
    }

    /** The {@code datetime} values as Python's repr writes them: {@code datetime.date(2024, 1, 31)}. */
    private static void renderTime(StringBuilder sb, Object v, int limit) {
        if (v instanceof LocalDate) {
            LocalDate d = (LocalDate) v;
            sb.append("datetime.date(").append(d.getYear()).append(", ").append(d.getMonthValue()).append(", ")
                    .append(d.getDayOfMonth()).append(')');
        } else if (v instanceof LocalTime || v instanceof OffsetTime) {
            LocalTime t = v instanceof LocalTime ? (LocalTime) v : ((OffsetTime) v).toLocalTime();
            sb.append("datetime.time(");
            clock(sb, t);
            zone(sb, v instanceof OffsetTime ? ((OffsetTime) v).getOffset() : null);
        } else if (v instanceof LocalDateTime || v instanceof OffsetDateTime || v instanceof ZonedDateTime
                || v instanceof Instant) {
            LocalDateTime t;
            ZoneOffset zone;
            if (v instanceof LocalDateTime) {
                t = (LocalDateTime) v;
                zone = null;
            } else if (v instanceof OffsetDateTime) {
                t = ((OffsetDateTime) v).toLocalDateTime();
                zone = ((OffsetDateTime) v).getOffset();
            } else if (v instanceof ZonedDateTime) { // sent with its offset
                t = ((ZonedDateTime) v).toLocalDateTime();
                zone = ((ZonedDateTime) v).getOffset();
            } else if (((Instant) v).getEpochSecond() > LocalDateTime.MAX.toEpochSecond(ZoneOffset.UTC)
                    || ((Instant) v).getEpochSecond() < LocalDateTime.MIN.toEpochSecond(ZoneOffset.UTC)) {
                renderText(sb, v, limit); // beyond any calendar date: as Java writes it
                return;
            } else { // sent as UTC
                t = LocalDateTime.ofInstant((Instant) v, ZoneOffset.UTC);
                zone = ZoneOffset.UTC;
            }
            sb.append("datetime.datetime(").append(t.getYear()).append(", ").append(t.getMonthValue())
                    .append(", ").append(t.getDayOfMonth()).append(", ");
            clock(sb, t.toLocalTime());
            zone(sb, zone);
        } else if (v instanceof Duration) {
            timeDelta(sb, (Duration) v);
        } else if (v instanceof ZoneOffset) {
            timeZone(sb, (ZoneOffset) v);
        } else { // a java.time value that is not sent
            renderText(sb, v, limit);
        }
    }

    /** Hours and minutes, then seconds and microseconds only as far as they are not zero; not closed. */
    private static void clock(StringBuilder sb, LocalTime t) {
        int micros = t.getNano() / 1000;
        sb.append(t.getHour()).append(", ").append(t.getMinute());
        if (t.getSecond() != 0 || micros != 0) {
            sb.append(", ").append(t.getSecond());
        }
        if (micros != 0) {
            sb.append(", ").append(micros);
        }
    }

    private static void zone(StringBuilder sb, ZoneOffset zone) {
        if (zone != null) {
            sb.append(", tzinfo=");
            timeZone(sb, zone);
        }
        sb.append(')');
    }

    private static void timeZone(StringBuilder sb, ZoneOffset zone) {
        if (zone.getTotalSeconds() == 0) {
            sb.append("datetime.timezone.utc");
        } else {
            sb.append("datetime.timezone(");
            timeDelta(sb, Duration.ofSeconds(zone.getTotalSeconds()));
            sb.append(')');
        }
    }

    /** As it is sent: whole days (floored), seconds within the day, microseconds; only those not zero named. */
    private static void timeDelta(StringBuilder sb, Duration d) {
        long days = Math.floorDiv(d.getSeconds(), 86_400);
        long seconds = Math.floorMod(d.getSeconds(), 86_400);
        int micros = d.getNano() / 1000;
        sb.append("datetime.timedelta(");
        if (days == 0 && seconds == 0 && micros == 0) {
            sb.append("0)");
            return;
        }
        StringJoiner parts = new StringJoiner(", ", "", ")");
        if (days != 0) {
            parts.add("days=" + days);
        }
        if (seconds != 0) {
            parts.add("seconds=" + seconds);
        }
        if (micros != 0) {
            parts.add("microseconds=" + micros);
        }
        sb.append(parts);
    }

    private static void renderDict(StringBuilder sb, Map<?, ?> map, int limit) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (sb.length() >= limit) {
                return;
            }
            sb.append(first ? "" : ", ");
            first = false;
            render(sb, e.getKey(), limit);
            sb.append(": ");
            render(sb, e.getValue(), limit);
        }
        sb.append('}');
    }

    private static void renderItems(StringBuilder sb, Collection<?> items, String open, String close, int limit) {
        sb.append(open);
        boolean first = true;
        for (Object item : items) {
            if (sb.length() >= limit) {
                return;
            }
            sb.append(first ? "" : ", ");
            first = false;
            render(sb, item, limit);
        }
        sb.append(close);
    }
}
