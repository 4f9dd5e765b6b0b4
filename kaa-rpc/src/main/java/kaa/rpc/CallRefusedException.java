package kaa.rpc;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A call of the peer's refused before an exposed method ran: by an
 * {@link IncomingInterceptor}, or by the library (an unknown command is a
 * {@code KeyError}, arguments that do not bind a {@code TypeError}). The
 * caller gets the builtin Python exception it names, with its message alone
 * (no stack of this side's): a Java caller as a {@link RemoteException} of
 * that {@linkplain RemoteException#remoteType() type}.
 */
public class CallRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The builtin exceptions a refusal may be: those Python 2 and 3 both have. */
    private static final Set<String> TYPES = Set.of("RuntimeError", "ValueError", "TypeError", "KeyError",
            "LookupError", "IndexError", "NotImplementedError", "AssertionError", "AttributeError", "IOError",
            "OSError", "EnvironmentError", "ArithmeticError", "ZeroDivisionError", "OverflowError", "MemoryError",
            "StopIteration", "Exception");

    /** The builtin Python exception the caller gets. */
    private final String pythonType;

    /**
     * A refusal the caller gets as a {@code RuntimeError}.
     *
     * @param message what the caller reads
     */
    public CallRefusedException(String message) {
        this("RuntimeError", message);
    }

    /**
     * A refusal the caller gets as the builtin exception {@code pythonType}.
     *
     * @param pythonType one of Python's builtin exceptions that Python 2 and 3
     *     both have, such as {@code RuntimeError}, {@code ValueError},
     *     {@code TypeError}, {@code KeyError} or {@code LookupError}
     *     ({@code PermissionError} is Python 3's only)
     * @param message what the caller reads (for a {@code KeyError}, the key); null for "refused"
     * @throws IllegalArgumentException if {@code pythonType} is not such a builtin
     */
    public CallRefusedException(String pythonType, String message) {
        super(message == null ? "refused" : message, null, false, false); // an answer: no stack to fill or send
        if (!TYPES.contains(Objects.requireNonNull(pythonType, "pythonType"))) {
            throw new IllegalArgumentException(pythonType + " is not a builtin exception of both Python 2 and 3; "
                    + "one of " + new TreeSet<>(TYPES));
        }
        this.pythonType = pythonType;
    }

    /** {@return the builtin Python exception the caller gets} */
    public String pythonType() {
        return pythonType;
    }
}
