package kaa.rpc.cli;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import kaa.rpc.Kwargs;
import kaa.rpc.internal.value.Numbers;

/** Python's repr() of the values kaa-rpc decodes, for showing calls as a Python programmer reads them. */
final class Repr {

    private Repr() {
    }

    /** The longest rendering: the walk stops there, whatever the value (a shared part is not written out again). */
    static final int MAX_CHARS = 2000;

    /** Python's repr of {@code v}, cut at {@value #MAX_CHARS} characters (ending in {@code ...} when cut). */
    static String of(Object v) {
        StringBuilder sb = new StringBuilder();
        render(sb, v);
        return sb.length() <= MAX_CHARS ? sb.toString() : sb.substring(0, MAX_CHARS - 3) + "...";
    }

    private static void render(StringBuilder sb, Object v) {
        if (sb.length() > MAX_CHARS) {
            return;
        }
        if (v == null) {
            sb.append("None");
        } else if (v instanceof Boolean) {
            sb.append((Boolean) v ? "True" : "False");
        } else if (v instanceof Number) { // a big one by its size when its digits would not fit
            sb.append(Numbers.text((Number) v, MAX_CHARS + 1 - sb.length()));
        } else if (v instanceof CharSequence) { // a String, or text Java cannot hold as one exactly
            String s = v.toString();
            sb.append('\'');
            for (int i = 0; i < s.length() && sb.length() <= MAX_CHARS; i++) {
                char c = s.charAt(i);
                sb.append(c == '\\' ? "\\\\" : c == '\'' ? "\\'" : c == '\n' ? "\\n" : String.valueOf(c));
            }
            sb.append('\'');
        } else if (v instanceof byte[]) {
            sb.append("b'");
            for (byte b : (byte[]) v) {
                if (sb.length() > MAX_CHARS) {
                    return;
                }
                int c = b & 0xff;
                sb.append(c >= 0x20 && c < 0x7f && c != '\'' && c != '\\' ? String.valueOf((char) c)
                        : String.format("\\x%02x", c));
            }
            sb.append('\'');
        } else if (v instanceof Object[]) {
            Object[] t = (Object[]) v;
            items(sb, "(", Arrays.asList(t), t.length == 1 ? ",)" : ")");
        } else if (v instanceof List) {
            items(sb, "[", (List<?>) v, "]");
        } else if (v instanceof Set) {
            if (((Set<?>) v).isEmpty()) {
                sb.append("set()");
            } else {
                items(sb, "{", (Set<?>) v, "}");
            }
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (sb.length() > MAX_CHARS) {
                    return;
                }
                sb.append(first ? "" : ", ");
                first = false;
                render(sb, e.getKey());
                sb.append(": ");
                render(sb, e.getValue());
            }
            sb.append('}');
        } else {
            String text = String.valueOf(v);
            sb.append(text, 0, Math.min(text.length(), MAX_CHARS + 1));
        }
    }

    private static void items(StringBuilder sb, String open, Collection<?> items, String close) {
        sb.append(open);
        boolean first = true;
        for (Object item : items) {
            if (sb.length() > MAX_CHARS) {
                return;
            }
            sb.append(first ? "" : ", ");
            first = false;
            render(sb, item);
        }
        sb.append(close);
    }

    /** {@code name(arg, ..., key=value)} */
    static String call(String command, Object... args) {
        StringJoiner j = new StringJoiner(", ", command + "(", ")");
        for (Object a : args) {
            if (a instanceof Kwargs) {
                ((Kwargs) a).asMap().forEach((k, val) -> j.add(k + "=" + of(val)));
            } else {
                j.add(of(a));
            }
        }
        return j.toString();
    }
}
