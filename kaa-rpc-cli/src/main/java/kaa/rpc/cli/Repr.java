package kaa.rpc.cli;

import java.util.StringJoiner;
import kaa.rpc.Kwargs;

/** Python's repr() of the values kaa-rpc decodes, for showing calls as a Python programmer reads them. */
final class Repr {

    private Repr() {
    }

    /** The longest rendering: the walk stops there, whatever the value (a shared part is not written out again). */
    static final int MAX_CHARS = 2000;

    /** Python's repr of {@code v}, cut at {@value #MAX_CHARS} characters (ending in {@code ...} when cut). */
    static String of(Object v) {
        // named in full: this class has the simple name
        return kaa.rpc.internal.value.Repr.repr(v, MAX_CHARS);
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
