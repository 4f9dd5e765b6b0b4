package kaa.rpc.cli;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/** Python's repr() of the values kaa-rpc decodes, for showing calls as a Python programmer reads them. */
final class Repr {

    private Repr() {
    }

    static String of(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean) {
            return (Boolean) v ? "True" : "False";
        }
        if (v instanceof String) {
            String s = ((String) v).replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n");
            return "'" + s + "'";
        }
        if (v instanceof byte[]) {
            StringBuilder sb = new StringBuilder("b'");
            for (byte b : (byte[]) v) {
                int c = b & 0xff;
                sb.append(c >= 0x20 && c < 0x7f && c != '\'' && c != '\\' ? String.valueOf((char) c)
                        : String.format("\\x%02x", c));
            }
            return sb.append('\'').toString();
        }
        if (v instanceof Object[]) {
            Object[] t = (Object[]) v;
            return t.length == 1 ? "(" + of(t[0]) + ",)" : join("(", java.util.Arrays.asList(t), ")");
        }
        if (v instanceof List) {
            return join("[", (List<?>) v, "]");
        }
        if (v instanceof Set) {
            return ((Set<?>) v).isEmpty() ? "set()" : join("{", (Set<?>) v, "}");
        }
        if (v instanceof Map) {
            StringJoiner j = new StringJoiner(", ", "{", "}");
            ((Map<?, ?>) v).forEach((k, val) -> j.add(of(k) + ": " + of(val)));
            return j.toString();
        }
        return String.valueOf(v);
    }

    /** Python's {@code type(v).__name__} for the values kaa-rpc decodes. */
    static String typeName(Object v) {
        if (v == null) {
            return "NoneType";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Double || v instanceof Float) {
            return "float";
        }
        if (v instanceof Number) {
            return "int";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof byte[]) {
            return "bytes";
        }
        if (v instanceof Object[]) {
            return "tuple";
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Set) {
            return "set";
        }
        if (v instanceof Map) {
            return "dict";
        }
        return v instanceof kaa.rpc.PythonObject ? ((kaa.rpc.PythonObject) v).className() : v.getClass().getSimpleName();
    }

    /** {@code name(arg, ..., key=value)} */
    static String call(String command, Object... args) {
        StringJoiner j = new StringJoiner(", ", command + "(", ")");
        for (Object a : args) {
            if (a instanceof kaa.rpc.Kwargs) {
                ((kaa.rpc.Kwargs) a).asMap().forEach((k, val) -> j.add(k + "=" + of(val)));
            } else {
                j.add(of(a));
            }
        }
        return j.toString();
    }

    private static String join(String open, Collection<?> items, String close) {
        StringJoiner j = new StringJoiner(", ", open, close);
        items.forEach(i -> j.add(of(i)));
        return j.toString();
    }
}
