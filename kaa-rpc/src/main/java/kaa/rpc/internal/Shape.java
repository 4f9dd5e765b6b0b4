package kaa.rpc.internal;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks the shape of a decoded value before anything walks it: no deeper
 * than {@link Unpickling#MAX_DEPTH}, no cycle, and no larger, counted as a
 * tree, than a small multiple of the payload it came from. A pickle's memo
 * lets a few bytes refer to one container many times; a value that expands to
 * much more than its bytes (a memo bomb) would make whoever walks it (argument
 * binding, re-encoding an echo) do work and allocate memory out of all
 * proportion. Such sharing (and cycles) can only come from a memo reference
 * to a container; without one, the value is a tree and only its depth needs
 * checking, which is cheap. With one, the walk is iterative and visits each
 * container once.
 */
final class Shape {

    /** How much larger than its payload a value may be, counted as a tree. */
    private static final int EXPANSION = 16;
    private static final long SLACK = 1024;

    private Shape() {
    }

    static void check(Object root, int payloadBytes, boolean shared) throws MalformedPickleException {
        if (!isContainer(root)) {
            return;
        }
        if (!shared) {
            checkTreeDepth(root, 1);
            return;
        }
        long limit = (long) payloadBytes * EXPANSION + SLACK;
        IdentityHashMap<Object, Long> sizes = new IdentityHashMap<>();
        IdentityHashMap<Object, Boolean> open = new IdentityHashMap<>();
        ArrayDeque<Object> path = new ArrayDeque<>();
        ArrayDeque<Iterator<?>> pending = new ArrayDeque<>();
        path.push(root);
        pending.push(children(root));
        open.put(root, Boolean.TRUE);
        while (!path.isEmpty()) {
            Iterator<?> next = pending.peek();
            if (next.hasNext()) {
                Object child = next.next();
                if (!isContainer(child) || sizes.containsKey(child)) {
                    continue;
                }
                if (open.containsKey(child)) {
                    throw new MalformedPickleException("value refers to itself");
                }
                if (path.size() >= Unpickling.MAX_DEPTH) {
                    throw new MalformedPickleException("value nested deeper than " + Unpickling.MAX_DEPTH + " levels");
                }
                path.push(child);
                pending.push(children(child));
                open.put(child, Boolean.TRUE);
                continue;
            }
            Object done = path.pop();
            pending.pop();
            open.remove(done);
            long size = 1;
            for (Iterator<?> it = children(done); it.hasNext();) {
                Object child = it.next();
                size += isContainer(child) ? sizes.get(child) : leafSize(child);
            }
            if (size > limit) {
                throw new MalformedPickleException("value expands to more than " + EXPANSION
                        + " times its " + payloadBytes + "-byte payload (shared references)");
            }
            sizes.put(done, size);
        }
    }

    /** Depth of a value known to be a tree: recursion stops at the limit, so it cannot overflow. */
    private static void checkTreeDepth(Object node, int depth) throws MalformedPickleException {
        if (depth > Unpickling.MAX_DEPTH) {
            throw new MalformedPickleException("value nested deeper than " + Unpickling.MAX_DEPTH + " levels");
        }
        if (node instanceof Object[]) {
            for (Object child : (Object[]) node) {
                if (isContainer(child)) {
                    checkTreeDepth(child, depth + 1);
                }
            }
        } else if (node instanceof List) {
            for (Object child : (List<?>) node) {
                if (isContainer(child)) {
                    checkTreeDepth(child, depth + 1);
                }
            }
        } else if (isContainer(node)) {
            for (Iterator<?> it = children(node); it.hasNext();) {
                Object child = it.next();
                if (isContainer(child)) {
                    checkTreeDepth(child, depth + 1);
                }
            }
        }
    }

    private static boolean isContainer(Object o) {
        return o instanceof Object[] || o instanceof Collection || o instanceof Map || o instanceof PyObject;
    }

    private static long leafSize(Object o) {
        if (o instanceof String) {
            return 1 + ((String) o).length() / 16;
        }
        if (o instanceof byte[]) {
            return 1 + ((byte[]) o).length / 16;
        }
        return 1;
    }

    private static Iterator<?> children(Object o) {
        if (o instanceof Object[]) {
            return Arrays.asList((Object[]) o).iterator();
        }
        if (o instanceof Collection) {
            return ((Collection<?>) o).iterator();
        }
        if (o instanceof Map) {
            Iterator<? extends Map.Entry<?, ?>> entries = ((Map<?, ?>) o).entrySet().iterator();
            return new Iterator<Object>() {
                private Object value;
                private boolean haveValue;

                @Override
                public boolean hasNext() {
                    return haveValue || entries.hasNext();
                }

                @Override
                public Object next() {
                    if (haveValue) {
                        haveValue = false;
                        return value;
                    }
                    Map.Entry<?, ?> e = entries.next();
                    value = e.getValue();
                    haveValue = true;
                    return e.getKey();
                }
            };
        }
        PyObject p = (PyObject) o;
        List<Object> parts = new java.util.ArrayList<>(Arrays.asList(p.args()));
        parts.addAll(p.state().values());
        return parts.iterator();
    }
}
