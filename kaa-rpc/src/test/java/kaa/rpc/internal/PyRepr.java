package kaa.rpc.internal;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import kaa.rpc.internal.pickle.Python;
import kaa.rpc.internal.value.PyObject;

/** Python's repr() of decoded values, to compare with what Python printed for the same bytes. */
final class PyRepr {

    private PyRepr() {
    }

    static String of(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean) {
            return (Boolean) v ? "True" : "False";
        }
        if (v instanceof String) {
            return str((String) v);
        }
        if (v instanceof byte[]) {
            StringBuilder sb = new StringBuilder("b'");
            for (byte b : (byte[]) v) {
                int c = b & 0xff;
                if (c == '\\' || c == '\'') {
                    sb.append('\\').append((char) c);
                } else if (c >= 0x20 && c < 0x7f) {
                    sb.append((char) c);
                } else {
                    sb.append(String.format("\\x%02x", c));
                }
            }
            return sb.append('\'').toString();
        }
        if (v instanceof Object[]) {
            Object[] t = (Object[]) v;
            return t.length == 1 ? "(" + of(t[0]) + ",)" : join("(", List.of(t), ")");
        }
        if (v instanceof List) {
            return join("[", (List<?>) v, "]");
        }
        if (v instanceof Set) {
            return join("{", (Set<?>) v, "}");
        }
        if (v instanceof Map) {
            StringJoiner j = new StringJoiner(", ", "{", "}");
            ((Map<?, ?>) v).forEach((k, val) -> j.add(of(k) + ": " + of(val)));
            return j.toString();
        }
        if (v instanceof PyObject) {
            PyObject o = (PyObject) v;
            if (o.name().equals("FrameSummary")) {
                return "<FrameSummary file " + o.state().get("filename") + ", line " + o.state().get("lineno")
                        + " in " + o.state().get("name") + ">";
            }
            Object[] args = o.args();
            return o.name() + (args.length == 1 ? "(" + of(args[0]) + ")" : of(args));
        }
        return String.valueOf(v);
    }

    private static String str(String s) {
        String quote = s.contains("'") && !s.contains("\"") ? "\"" : "'";
        StringBuilder sb = new StringBuilder(quote);
        for (char c : s.toCharArray()) {
            if (c == '\\') {
                sb.append("\\\\");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (String.valueOf(c).equals(quote)) {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append(quote).toString();
    }

    private static String join(String open, Collection<?> items, String close) {
        StringJoiner j = new StringJoiner(", ", open, close);
        items.forEach(i -> j.add(of(i)));
        return j.toString();
    }
}
