package kaa.rpc.internal;

import net.razorvine.pickle.IObjectConstructor;

/**
 * A class or function a pickle names ({@code GLOBAL}), as the unpickler
 * holds it until a {@code REDUCE} calls it: one that is never called is a
 * value of its own, Python's {@code <class 'mod.Name'>}, inert, and named so
 * in every message (never as the lambda that builds its objects). It is not
 * sent back out.
 */
final class PyClass implements IObjectConstructor {

    private final String module;
    private final String name;
    private final IObjectConstructor constructor;

    PyClass(String module, String name, IObjectConstructor constructor) {
        this.module = module;
        this.name = name;
        this.constructor = constructor;
    }

    @Override
    public Object construct(Object[] args) {
        return constructor.construct(args);
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
        return "<class '" + Values.truncate(qualifiedName(), 200) + "'>";
    }
}
