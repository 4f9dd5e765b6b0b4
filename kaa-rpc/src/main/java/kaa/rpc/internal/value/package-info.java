/**
 * The Python value model both directions share: what a decoded value is
 * ({@link kaa.rpc.internal.value.ValueKind}, one classification asked
 * everywhere), how it prints ({@link kaa.rpc.internal.value.Repr}), the
 * Python-only values ({@link kaa.rpc.internal.value.PyObject},
 * {@link kaa.rpc.internal.value.FrozenSet}), and the guards that bound what a
 * peer's value may cost: the work budget, the key guard against hash floods
 * and the graph check of depth and sharing.
 *
 * <p>Uses only the JDK and the public {@code kaa.rpc.PythonObject}; every
 * other layer may use it.
 */
package kaa.rpc.internal.value;
