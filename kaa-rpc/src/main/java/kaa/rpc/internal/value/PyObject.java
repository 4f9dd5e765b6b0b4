package kaa.rpc.internal.value;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import kaa.rpc.PythonObject;

/**
 * An instance of a Python class that is not a plain value (an exception, a
 * {@code traceback.FrameSummary}, a user class), kept as data: the class's
 * module and name, the constructor arguments and the state that the pickle set.
 * Decoding never instantiates a Java class named by a pickle.
 */
public final class PyObject implements PythonObject {

    private final String module;
    private final String name;
    private final Object[] args;
    private final boolean made;
    private final Map<String, Object> state = new LinkedHashMap<>();
    /** The names in {@link #state} that came as {@code __slots__} values (the second part of a (dict, slots) state). */
    private Set<String> slotNames;

    /** An object made by calling its class: {@code module.name(*args)} (pickle's REDUCE). */
    public PyObject(String module, String name, Object[] args) {
        this(module, name, args, false);
    }

    /**
     * @param made whether it was made as pickle makes most instances,
     *     {@code cls.__new__(cls, *args)} (NEWOBJ), so that {@code __init__}
     *     does not run again when it is sent on
     */
    public PyObject(String module, String name, Object[] args, boolean made) {
        this.module = module;
        this.name = name;
        this.args = args;
        this.made = made;
    }

    /** Whether it was made by {@code cls.__new__} rather than by calling the class. */
    public boolean madeByNew() {
        return made;
    }

    /** Marks {@code name}, already in the state, as a {@code __slots__} value, to be sent back as one. */
    public void markSlot(String name) {
        if (slotNames == null) {
            slotNames = new HashSet<>();
        }
        slotNames.add(name);
    }

    public boolean hasSlots() {
        return slotNames != null && !slotNames.isEmpty();
    }

    /** The state, split as pickle's {@code (dict, slots)}: [instance dict, slot values]. */
    @SuppressWarnings("unchecked")
    public Map<String, Object>[] splitState() {
        Map<String, Object> dict = new LinkedHashMap<>();
        Map<String, Object> slotValues = new LinkedHashMap<>();
        state.forEach((k, v) -> (slotNames != null && slotNames.contains(k) ? slotValues : dict).put(k, v));
        return new Map[] {dict, slotValues};
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

    @Override
    public String className() {
        return qualifiedName();
    }

    @Override
    public List<Object> arguments() {
        return Collections.unmodifiableList(Arrays.asList(args));
    }

    @Override
    public Map<String, Object> attributes() {
        return Collections.unmodifiableMap(state);
    }

    public Object[] args() {
        return args;
    }

    public Map<String, Object> state() {
        return state;
    }

    /** A dotted Python identifier, in ASCII: what a module or class name may be. */
    private static final Pattern DOTTED_NAME =
            Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*){0,20}");

    /** Whether {@code name} may name a module or a class: dotted identifiers, at most 200 characters. */
    public static boolean isDottedName(String name) {
        return name.length() <= 200 && DOTTED_NAME.matcher(name).matches();
    }

    public static boolean isBuiltinModule(String module) {
        return module.equals("builtins") || module.equals("__builtin__") || module.equals("exceptions");
    }

    /** A bounded rendering, as Python's {@code repr} of the constructor call (the state left out). */
    @Override
    public String toString() {
        return Repr.repr(this, 200);
    }
}
