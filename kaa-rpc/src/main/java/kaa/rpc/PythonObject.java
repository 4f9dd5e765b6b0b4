package kaa.rpc;

import java.util.List;
import java.util.Map;

/**
 * An object of a Python class that has no Java counterpart, as it arrived:
 * inert data, never a call into Python code. It converts to a record, a bean
 * or a {@code Map} parameter from its attributes; see
 * {@code PeerBuilder.sendPythonObjects} for sending one on.
 */
public interface PythonObject {

    /** {@return its class as {@code module.Name}, without the module for Python's builtins} */
    String className();

    /** {@return the arguments its class was called (or {@code __new__}'d) with: a namedtuple's fields} */
    List<Object> arguments();

    /** {@return its attributes (its {@code __dict__} and {@code __slots__} values), in order; unmodifiable} */
    Map<String, Object> attributes();
}
