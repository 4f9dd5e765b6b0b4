package kaa.rpc.internal.pickle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import kaa.rpc.RemoteException;
import kaa.rpc.internal.value.PyObject;
import kaa.rpc.internal.value.Repr;

/**
 * Translates exceptions between the two sides of an {@code EXCP}: a Java
 * exception becomes an instance of a builtin Python exception type that both
 * Python 2 and 3 know (so a Python caller can {@code except ValueError}), with
 * the Java class name kept in its {@code java_class} attribute for Java
 * callers; an {@code EXCP} payload becomes a {@link RemoteException}.
 */
public final class RemoteErrors {

    /** Attribute of a pickled exception that names the Java class it came from. */
    static final String JAVA_CLASS = "java_class";
    /** Attribute of a pickled exception that lists its causes as (class, message) pairs, outermost first. */
    static final String JAVA_CAUSES = "java_causes";
    static final int MAX_CAUSES = 8;
    /** The innermost frames of a remote stack that are kept; the rest are counted. */
    static final int MAX_FRAMES = 256;
    /** The longest remote type name, frame field, or rendering of a non-string message that is kept whole. */
    static final int MAX_TEXT = 300;

    private RemoteErrors() {
    }

    /** The payload of an EXCP answering a call that threw {@code t}: {@code (exception, stack)}. */
    public static Object[] payload(Throwable t) {
        // a handler that waited for a future throws its wrapper: the caller wants what failed,
        // seen from where the handler was (the wrapper's frames)
        Throwable where = t;
        while ((t instanceof ExecutionException
                || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (!(t instanceof RemoteException)) {
            return new Object[] {toPython(t), stack(where)};
        }
        // passed on: the traceback goes on through this hop, as the far peer's frames and then this side's; a
        // remote exception has no stack of its own, so the side's frames are its wrapper's or its call site's
        RemoteException remote = (RemoteException) t;
        List<Object[]> frames = new ArrayList<>();
        for (RemoteException.Frame f : remote.frames()) {
            frames.add(new Object[] {f.file(), f.line(), f.function(), f.source()});
        }
        Throwable here = where != t ? where : remote.getSuppressed().length > 0 ? remote.getSuppressed()[0] : null;
        if (here != null) {
            frames.addAll(stack(here));
        }
        return new Object[] {toPython(t), frames};
    }

    /** An EXCP payload for an error the library raises itself, such as KeyError or TypeError. */
    public static Object[] payload(String pythonType, String message) {
        return new Object[] {new PyObject("exceptions", pythonType, new Object[] {message}), List.of()};
    }

    static PyObject toPython(Throwable t) {
        // a remote error passed on keeps its own type and message, not the whole report
        String message = t instanceof RemoteException ? ((RemoteException) t).remoteMessage() : t.getMessage();
        List<Object[]> causes = causes(t);
        if (!causes.isEmpty()) {
            // Python prints only the message: the causes go there too, as Java would print them
            StringBuilder sb = new StringBuilder(message == null ? "" : message);
            for (Object[] c : causes) {
                sb.append(sb.length() == 0 ? "" : " ").append("(caused by ").append(c[0])
                        .append(((String) c[1]).isEmpty() ? "" : ": " + c[1]).append(')');
            }
            message = sb.toString();
        }
        Object arg = message;
        if (causes.isEmpty() && t instanceof RemoteException && pythonType(t).equals("KeyError")) {
            // str(KeyError) is the repr of its key, and that is what was read: the key goes on, not its repr
            Object key = keyOf(message);
            arg = key != null ? key : message;
        }
        PyObject exc = new PyObject("exceptions", pythonType(t),
                message == null ? new Object[0] : new Object[] {arg});
        exc.state().put(JAVA_CLASS, t instanceof RemoteException ? ((RemoteException) t).remoteType()
                : Repr.className(t.getClass(), true));
        if (!causes.isEmpty()) {
            exc.state().put(JAVA_CAUSES, causes); // structured, for a Java peer
        }
        return exc;
    }

    /**
     * The key whose repr {@code text} is, for the keys a KeyError carries: a
     * str (as {@link Repr#repr} writes it) or an int; null for anything else,
     * or for a repr that was cut.
     */
    static Object keyOf(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.matches("-?[0-9]{1,300}")) {
            BigInteger n = new BigInteger(text);
            return n.bitLength() < 64 ? (Object) n.longValue() : n;
        }
        char quote = text.charAt(0);
        if (text.length() < 2 || quote != '\'' && quote != '"' || text.charAt(text.length() - 1) != quote) {
            return null;
        }
        StringBuilder key = new StringBuilder(text.length());
        for (int i = 1; i < text.length() - 1; i++) {
            char c = text.charAt(i);
            if (c == quote) {
                return null; // a quote inside is escaped: this is not one literal
            }
            if (c != '\\') {
                key.append(c);
                continue;
            }
            if (++i == text.length() - 1) {
                return null;
            }
            char e = text.charAt(i);
            int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
            if (digits > 0) {
                if (i + digits >= text.length()) {
                    return null;
                }
                int cp;
                try {
                    cp = Integer.parseInt(text.substring(i + 1, i + 1 + digits), 16);
                } catch (NumberFormatException notHex) {
                    return null;
                }
                if (!Character.isValidCodePoint(cp)) {
                    return null;
                }
                key.appendCodePoint(cp);
                i += digits;
            } else if (e == 't' || e == 'n' || e == 'r') {
                key.append(e == 't' ? '\t' : e == 'n' ? '\n' : '\r');
            } else if (e == '\\' || e == '\'' || e == '"') {
                key.append(e);
            } else {
                return null;
            }
        }
        return key.toString();
    }

    /** The causes of {@code t}, outermost first, as (type, message) pairs: at most {@value #MAX_CAUSES}. */
    private static List<Object[]> causes(Throwable t) {
        List<Object[]> out = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(t);
        for (Throwable c = t.getCause(); c != null && seen.add(c) && out.size() < MAX_CAUSES; c = c.getCause()) {
            String type = c instanceof RemoteException ? ((RemoteException) c).remoteType()
                    : Repr.className(c.getClass(), true);
            String message = c instanceof RemoteException ? ((RemoteException) c).remoteMessage() : c.getMessage();
            out.add(new Object[] {Repr.truncate(type, MAX_TEXT),
                Repr.truncate(message == null ? "" : message, MAX_TEXT)});
        }
        return out;
    }

    /** The builtin exception of Python 2 and 3 closest in meaning to {@code t}. */
    static String pythonType(Throwable t) {
        if (t instanceof RemoteException) {
            String remote = ((RemoteException) t).remoteType();
            // a Python builtin (KeyError, ValueError, ...) passes on as itself
            return remote.matches("[A-Z][A-Za-z]*(Error|Exception)|StopIteration") ? remote : "RuntimeError";
        }
        if (t instanceof ArithmeticException && String.valueOf(t.getMessage()).contains("by zero")) {
            return "ZeroDivisionError";
        }
        if (t instanceof IllegalArgumentException) {
            return "ValueError";
        }
        if (t instanceof ClassCastException) {
            return "TypeError";
        }
        if (t instanceof IndexOutOfBoundsException) {
            return "IndexError";
        }
        if (t instanceof NoSuchElementException) {
            return "LookupError";
        }
        if (t instanceof UnsupportedOperationException) {
            return "NotImplementedError";
        }
        if (t instanceof ArithmeticException) {
            return "ArithmeticError";
        }
        if (t instanceof IOException || t instanceof UncheckedIOException) {
            return "IOError";
        }
        if (t instanceof AssertionError) {
            return "AssertionError";
        }
        if (t instanceof OutOfMemoryError) {
            return "MemoryError";
        }
        if (t instanceof RuntimeException) {
            return "RuntimeError";
        }
        return "Exception";
    }

    /** The stack of {@code t} as Python's 4-tuples, outermost first, without the library's own frames. */
    static List<Object[]> stack(Throwable t) {
        StackTraceElement[] trace = t.getStackTrace();
        int end = trace.length;
        while (end > 0 && isInfrastructure(trace[end - 1].getClassName())) {
            end--;
        }
        if (end == 0) {
            end = trace.length;
        }
        List<Object[]> frames = new ArrayList<>(end);
        for (int i = end - 1; i >= 0; i--) {
            StackTraceElement e = trace[i];
            String file = e.getFileName() != null ? e.getFileName() : e.getClassName();
            frames.add(new Object[] {file, e.getLineNumber(), e.getClassName() + "." + e.getMethodName(), ""});
        }
        return frames;
    }

    private static boolean isInfrastructure(String className) {
        return className.startsWith("kaa.rpc.internal.") || className.startsWith("java.lang.invoke.")
                || className.startsWith("java.lang.reflect.") || className.startsWith("jdk.internal.")
                || className.startsWith("java.util.concurrent.") || className.startsWith("java.lang.Thread")
                || className.startsWith("java.lang.VirtualThread") || className.startsWith("io.netty.");
    }

    /**
     * Reads an EXCP payload into the exception a caller sees. What a peer
     * sends here ends up in messages and logs, so every part is bounded: the
     * type and frame texts are cut at {@value #MAX_TEXT} characters, only the
     * innermost {@value #MAX_FRAMES} frames are kept, and a message that is
     * not a string is rendered at most that long.
     */
    public static RemoteException fromPayload(String command, Object payload) {
        return fromPayload(command, "", payload);
    }

    /** As above, for a call to {@code peer} (its address, as messages name it). */
    public static RemoteException fromPayload(String command, String peer, Object payload) {
        Object exc = payload;
        Object stack = List.of();
        if (payload instanceof Object[] && ((Object[]) payload).length == 2) {
            exc = ((Object[]) payload)[0];
            stack = ((Object[]) payload)[1];
        }
        String type;
        String message;
        if (exc instanceof PyObject) {
            PyObject p = (PyObject) exc;
            Object javaClass = p.state().get(JAVA_CLASS);
            type = javaClass instanceof String ? (String) javaClass : p.qualifiedName();
            message = pythonStr(p);
        } else {
            type = Repr.pythonType(exc);
            message = Repr.repr(exc, MAX_TEXT);
        }
        return new RemoteException(command, peer, Repr.truncate(type, MAX_TEXT), message, frames(stack),
                exc instanceof PyObject ? causeChain(command, ((PyObject) exc).state().get(JAVA_CAUSES)) : null);
    }

    /** The causes a Java peer sent, as a chain of RemoteExceptions without frames; null if none. */
    private static RemoteException causeChain(String command, Object causes) {
        if (!(causes instanceof List)) {
            return null;
        }
        List<?> list = (List<?>) causes;
        RemoteException chain = null;
        for (int i = Math.min(list.size(), MAX_CAUSES) - 1; i >= 0; i--) {
            Object entry = list.get(i);
            List<?> pair = entry instanceof Object[] ? Arrays.asList((Object[]) entry)
                    : entry instanceof List ? (List<?>) entry : List.of();
            if (pair.size() == 2) {
                chain = new RemoteException(command, "", text(pair.get(0)), text(pair.get(1)), List.of(), chain);
            }
        }
        return chain;
    }

    /** What Python's {@code str(exc)} prints for an exception with these arguments. */
    private static String pythonStr(PyObject exc) {
        Object[] args = exc.args();
        if (args.length == 0) {
            return "";
        }
        if (args.length == 1) {
            Object a = args[0];
            if (exc.name().equals("KeyError") && PyObject.isBuiltinModule(exc.module())) {
                return Repr.repr(a, MAX_TEXT);
            }
            return a instanceof String ? (String) a : Repr.repr(a, MAX_TEXT);
        }
        return Repr.repr(args, MAX_TEXT);
    }

    private static List<RemoteException.Frame> frames(Object stack) {
        List<RemoteException.Frame> frames = new ArrayList<>();
        if (!(stack instanceof List)) {
            return frames;
        }
        List<?> entries = (List<?>) stack;
        int first = Math.max(0, entries.size() - MAX_FRAMES);
        if (first > 0) {
            frames.add(new RemoteException.Frame("...", 0, "(" + first + " outer frames left out)", ""));
        }
        for (Object entry : entries.subList(first, entries.size())) {
            RemoteException.Frame f = frame(entry);
            if (f != null) {
                frames.add(f);
            }
        }
        return frames;
    }

    /** A frame as Python 2 (a 4-tuple) or Python 3 (a FrameSummary) pickles it. */
    private static RemoteException.Frame frame(Object entry) {
        if (entry instanceof Object[] || entry instanceof List) {
            List<?> t = entry instanceof Object[] ? Arrays.asList((Object[]) entry) : (List<?>) entry;
            if (t.size() >= 3) {
                return new RemoteException.Frame(text(t.get(0)), number(t.get(1)), text(t.get(2)),
                        t.size() > 3 ? text(t.get(3)).strip() : "");
            }
        } else if (entry instanceof PyObject) {
            Map<String, Object> s = ((PyObject) entry).state();
            Object line = s.containsKey("_line") ? s.get("_line") : s.get("line");
            return new RemoteException.Frame(text(s.get("filename")), number(s.get("lineno")), text(s.get("name")),
                    text(line).strip());
        }
        return null;
    }

    private static String text(Object o) {
        return o == null ? "" : o instanceof String ? Repr.truncate((String) o, MAX_TEXT) : Repr.repr(o, MAX_TEXT);
    }

    private static int number(Object o) {
        return o instanceof Number ? ((Number) o).intValue() : 0;
    }
}
