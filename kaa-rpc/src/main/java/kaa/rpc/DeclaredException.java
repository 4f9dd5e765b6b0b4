package kaa.rpc;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import kaa.rpc.internal.value.Repr;
import org.slf4j.LoggerFactory;

/**
 * An exception class a proxy method declares, and how to make one from a
 * Java peer's error of that class: the local interface chooses the classes,
 * the peer only which of them. Made once per method, when its interface is
 * analysed.
 */
final class DeclaredException {

    private final Constructor<?> constructor;
    private final boolean takesCause; // (String, Throwable), else (String)

    private DeclaredException(Constructor<?> constructor, boolean takesCause) {
        this.constructor = constructor;
        this.takesCause = takesCause;
    }

    /**
     * The exception classes {@code m} declares, by the name a Java peer sends
     * for them. A class that cannot be made (no public {@code (String,
     * Throwable)} or {@code (String)} constructor, or not accessible to this
     * module) is left out, and said so in the log: its remote errors stay
     * {@code RemoteException}s.
     */
    static Map<String, DeclaredException> of(Method m) {
        Map<String, DeclaredException> out = new HashMap<>();
        List<String> unmade = new ArrayList<>();
        for (Class<?> type : m.getExceptionTypes()) {
            if (hasLocalMeaning(type)) {
                continue;
            }
            DeclaredException made = maker(type);
            if (made == null) {
                unmade.add(type.getName());
            } else {
                out.put(Repr.className(type, true), made);
            }
        }
        if (!unmade.isEmpty()) {
            LoggerFactory.getLogger(Channel.class).warn("{}.{}() declares {}, which a remote error cannot be made "
                    + "into (each needs a public constructor taking (String, Throwable) or (String), in a package "
                    + "exported to kaa.rpc): its calls throw RemoteException for them instead",
                    m.getDeclaringClass().getSimpleName(), m.getName(), String.join(", ", unmade));
        }
        return out.isEmpty() ? Map.of() : out;
    }

    /**
     * The classes a proxy method throws for what happened here, never for a
     * peer's error: our caller's interruption, our call's time-out or
     * cancellation, the wrappers of futures, and this library's own
     * exceptions (a lost connection, a refused secret, a remote error). A
     * peer whose error had such a class must not make us claim it.
     */
    private static boolean hasLocalMeaning(Class<?> type) {
        return type == InterruptedException.class || type == TimeoutException.class
                || type == CancellationException.class || type == ExecutionException.class
                || type == CompletionException.class || RemoteException.class.isAssignableFrom(type)
                || NotConnectedException.class.isAssignableFrom(type) || CallFailedException.class.isAssignableFrom(type)
                || AuthenticationException.class.isAssignableFrom(type)
                || HandshakeTimeoutException.class.isAssignableFrom(type);
    }

    private static DeclaredException maker(Class<?> type) {
        // core reflection rather than a method handle: it reads the user's module without being told to
        for (boolean takesCause : new boolean[] {true, false}) {
            try {
                Constructor<?> c = takesCause ? type.getConstructor(String.class, Throwable.class)
                        : type.getConstructor(String.class);
                if (c.canAccess(null)) {
                    return new DeclaredException(c, takesCause);
                }
            } catch (NoSuchMethodException e) {
                // try the next form
            }
        }
        return null;
    }

    /**
     * The declared exception for {@code remote}: its message, its causes,
     * and a stack of the remote frames followed, with {@code callersStack},
     * by this thread's (a blocking proxy method's caller), as RMI
     * shows a remote exception; the {@code RemoteException}, with the
     * command, the peer and the whole remote traceback, is suppressed in it.
     * Null if the constructor fails.
     */
    Throwable make(RemoteException remote, boolean callersStack) {
        Throwable made;
        try {
            String message = RemoteException.shown(remote.remoteMessage()); // a peer's text, kept readable
            made = takesCause ? (Throwable) constructor.newInstance(message, remote.getCause())
                    : (Throwable) constructor.newInstance(message);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) { // its constructor failed
            return null;
        }
        if (!takesCause && remote.getCause() != null) {
            try {
                made.initCause(remote.getCause());
            } catch (IllegalStateException alreadySet) {
                // its constructor chose a cause of its own: the remote ones stay in the suppressed report
            }
        }
        List<RemoteException.Frame> frames = remote.frames();
        StackTraceElement[] local = callersStack ? new Throwable().getStackTrace() : new StackTraceElement[0];
        StackTraceElement[] stack = new StackTraceElement[frames.size() + local.length];
        for (int i = 0; i < frames.size(); i++) {
            stack[i] = element(frames.get(frames.size() - 1 - i)); // innermost first, as Java prints
        }
        System.arraycopy(local, 0, stack, frames.size(), local.length);
        made.setStackTrace(stack);
        made.addSuppressed(remote);
        return made;
    }

    /** A remote frame as Java prints one: {@code Class.method(File.java:12)}. */
    private static StackTraceElement element(RemoteException.Frame f) {
        String function = f.function();
        int dot = function.lastIndexOf('.');
        String owner = dot > 0 ? function.substring(0, dot) : "<remote>";
        String method = dot > 0 ? function.substring(dot + 1) : function;
        return new StackTraceElement(owner, method, f.file().isEmpty() ? null : f.file(), f.line());
    }
}
