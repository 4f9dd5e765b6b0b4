package kaa.rpc.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An instance of a Python class that is not a plain value (an exception, a
 * {@code traceback.FrameSummary}, a user class), kept as data: the class's
 * module and name, the constructor arguments and the state that the pickle set.
 * Decoding never instantiates a Java class named by a pickle.
 */
public final class PyObject {

    private final String module;
    private final String name;
    private final Object[] args;
    private final Map<String, Object> state = new LinkedHashMap<>();

    public PyObject(String module, String name, Object[] args) {
        this.module = module;
        this.name = name;
        this.args = args;
    }

    public String module() {
        return module;
    }

    public String name() {
        return name;
    }

    /** {@code module.name}, with the builtin modules of Python 2 and 3 left out. */
    public String qualifiedName() {
        return isBuiltinModule(module) ? name : module + "." + name;
    }

    public Object[] args() {
        return args;
    }

    public Map<String, Object> state() {
        return state;
    }

    /** A dotted Python identifier, in ASCII: what a module or class name may be. */
    private static final java.util.regex.Pattern DOTTED_NAME =
            java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*){0,20}");

    /** Whether {@code name} may name a module or a class: dotted identifiers, at most 200 characters. */
    static boolean isDottedName(String name) {
        return name.length() <= 200 && DOTTED_NAME.matcher(name).matches();
    }

    static boolean isBuiltinModule(String module) {
        return module.equals("builtins") || module.equals("__builtin__") || module.equals("exceptions");
    }

    /** A bounded rendering, as Python's {@code repr} of the constructor call (the state left out). */
    @Override
    public String toString() {
        return Values.repr(this, 200);
    }
}
