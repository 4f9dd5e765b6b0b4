package kaa.rpc.internal.pickle;

import java.util.Set;
import java.util.function.BiPredicate;
import kaa.rpc.internal.value.PyObject;

/**
 * Which Python objects (instances of classes the library does not map, kept
 * as {@link PyObject}) may be sent to a peer. Unpickling such an object calls
 * its class, whatever that is: a server that sent on what one client gave it
 * would hand that client's code (say {@code posix.system(...)}) to another
 * peer to run. So by default only the builtin exception types go (the
 * library's own errors and those of a Java method, and a Python peer's
 * exceptions are re-raised as such) and the value types of {@code datetime},
 * whose constructors only build values; anything else is refused unless the
 * channel allows it by module and class name.
 */
public final class SendPolicy {

    /** The default: builtin exceptions, {@code datetime} values and {@code Decimal}s only. */
    public static final SendPolicy DEFAULT = new SendPolicy(null);

    private static final Set<String> BUILTIN_EXCEPTIONS = Set.of("BaseException", "Exception", "ArithmeticError",
            "AssertionError", "AttributeError", "BlockingIOError", "BrokenPipeError", "BufferError",
            "ChildProcessError", "ConnectionAbortedError", "ConnectionError", "ConnectionRefusedError",
            "ConnectionResetError", "EOFError", "EnvironmentError", "FileExistsError", "FileNotFoundError",
            "FloatingPointError", "IOError", "ImportError", "IndexError", "InterruptedError", "IsADirectoryError",
            "KeyError", "LookupError", "MemoryError", "ModuleNotFoundError", "NameError", "NotADirectoryError",
            "NotImplementedError", "OSError", "OverflowError", "PermissionError", "ProcessLookupError",
            "RecursionError", "ReferenceError", "RuntimeError", "StopIteration", "SystemError", "TimeoutError",
            "TypeError", "UnboundLocalError", "UnicodeError", "ValueError", "ZeroDivisionError", "Warning",
            "UserWarning", "DeprecationWarning", "RuntimeWarning");
    private static final Set<String> DATETIME_VALUES = Set.of("date", "time", "datetime", "timedelta", "timezone");

    private final BiPredicate<String, String> allowed;

    private SendPolicy(BiPredicate<String, String> allowed) {
        this.allowed = allowed;
    }

    /** The default, and whatever {@code allowed(module, name)} accepts besides. */
    public static SendPolicy allowing(BiPredicate<String, String> allowed) {
        return allowed == null ? DEFAULT : new SendPolicy(allowed);
    }

    boolean allows(String module, String name) {
        if (PyObject.isBuiltinModule(module) && BUILTIN_EXCEPTIONS.contains(name)
                || module.equals("datetime") && DATETIME_VALUES.contains(name)
                || module.equals("decimal") && name.equals("Decimal")) { // NaN, infinities, -0: a value too
            return true;
        }
        return allowed != null && allowed.test(module, name);
    }
}
