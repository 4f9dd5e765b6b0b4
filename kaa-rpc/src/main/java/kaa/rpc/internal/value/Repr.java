package kaa.rpc.internal.value;

import java.lang.reflect.Array;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
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
import java.util.Set;

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
                double d = ((Number) v).doubleValue();
                sb.append(Double.isNaN(d) ? "nan" : Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf")
                        : Double.toString(d));
                return;
            case INT:
            case BIG_INT:
            case DECIMAL:
            case CHAR:
            case ENUM:
                renderText(sb, v, limit);
                return;
            case STR:
                String text = v.toString();
                sb.append('\'').append(text, 0, Math.min(text.length(), Math.max(0, limit - sb.length())));
                if (sb.length() < limit) {
                    sb.append('\'');
                }
                return;
            case BYTES:
                renderBytes(sb, (byte[]) v, limit);
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
                PyObject p = (PyObject) v;
                sb.append(p.qualifiedName());
                renderItems(sb, Arrays.asList(p.args()), "(", ")", limit);
                return;
            case UUID:
                sb.append("UUID('").append(v).append("')");
                return;
            case DATETIME:
                sb.append("datetime.").append(pythonType(v)).append("('").append(v).append("')"); // ISO-8601 inside
                return;
            case CHARS:
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

    /** A value's own text, cut to what is left; a peer's big number is never made whole to be cut afterwards. */
    private static void renderText(StringBuilder sb, Object v, int limit) {
        String text = v instanceof Number ? Numbers.text((Number) v, Math.max(0, limit - sb.length()))
                : String.valueOf(v);
        sb.append(text, 0, Math.min(text.length(), limit - sb.length()));
    }

    private static void renderBytes(StringBuilder sb, byte[] bytes, int limit) {
        sb.append("b'");
        for (byte b : bytes) {
            if (sb.length() >= limit) {
                return;
            }
            if (b >= 0x20 && b < 0x7f && b != '\\' && b != '\'') {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b & 0xff));
            }
        }
        sb.append('\'');
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
