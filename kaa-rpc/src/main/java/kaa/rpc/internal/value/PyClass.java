package kaa.rpc.internal.value;

import java.util.function.Function;

/**
 * A class or function a pickle names ({@code GLOBAL}), as the unpickler
 * holds it until a {@code REDUCE} calls it: one that is never called is a
 * value of its own, Python's {@code <class 'mod.Name'>}, inert, and named so
 * in every message (never as the lambda that builds its objects). It is not
 * sent back out.
 */
public final class PyClass {

    private final String module;
    private final String name;
    private final Function<Object[], Object> constructor;

    public PyClass(String module, String name, Function<Object[], Object> constructor) {
        this.module = module;
        this.name = name;
        this.constructor = constructor;
    }

    /** What calling it with {@code args} makes. */
    public Object construct(Object[] args) {
        return constructor.apply(args);
    }

    String qualifiedName() {
        return PyObject.isBuiltinModule(module) ? name : module + "." + name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PyClass && ((PyClass) o).module.equals(module) && ((PyClass) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return module.hashCode() * 31 + name.hashCode();
    }

    /** As Python's repr: {@code <class 'mod.Name'>}. */
    @Override
    public String toString() {
        return "<class '" + Repr.truncate(qualifiedName(), 200) + "'>";
    }
}
