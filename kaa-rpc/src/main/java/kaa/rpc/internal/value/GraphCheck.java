package kaa.rpc.internal.value;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks the shape of a decoded value before anything walks it: no deeper
 * than {@link Limits#MAX_DEPTH} and no cycle. A pickle may share a part
 * of a value many times (by its memo or by {@code DUP}); sharing is kept, not
 * refused, so the value is a graph whose paths can be exponentially many, and
 * every walk of it must visit each part once. Without sharing the value is a
 * tree, and a cheap recursive depth check does.
 */
public final class GraphCheck {

    private GraphCheck() {
    }

    public static boolean isContainer(Object o) {
        return ValueKind.of(o).isContainer();
    }

    /**
     * @param shared whether a container was handed out more than once while
     *     decoding; if not, the value is a tree
     */
    public static void check(Object root, boolean shared, WorkBudget work) {
        if (!isContainer(root)) {
            return;
        }
        if (shared) {
            checkGraph(root, work);
        } else {
            checkTreeDepth(root, 1, work);
        }
    }

    /**
     * Depth first, each container once: its height (the longest path below
     * it) is remembered, so that reaching it again costs one step, and a path
     * back to a container still open is a cycle.
     */
    private static void checkGraph(Object root, WorkBudget work) {
        IdentityHashMap<Object, Integer> heights = new IdentityHashMap<>();
        IdentityHashMap<Object, Boolean> open = new IdentityHashMap<>();
        ArrayDeque<Object> path = new ArrayDeque<>();
        ArrayDeque<Iterator<?>> pending = new ArrayDeque<>();
        ArrayDeque<int[]> below = new ArrayDeque<>(); // the greatest height among each open container's children
        path.push(root);
        pending.push(children(root));
        below.push(new int[1]);
        open.put(root, Boolean.TRUE);
        while (!path.isEmpty()) {
            Iterator<?> next = pending.peek();
            if (next.hasNext()) {
                Object child = next.next();
                work.charge(1);
                if (!isContainer(child)) {
                    continue;
                }
                Integer known = heights.get(child);
                if (known != null) {
                    if (path.size() + known > Limits.MAX_DEPTH) {
                        throw tooDeep();
                    }
                    below.peek()[0] = Math.max(below.peek()[0], known);
                    continue;
                }
                if (open.containsKey(child)) {
                    throw new MalformedValueException("value refers to itself");
                }
                if (path.size() >= Limits.MAX_DEPTH) {
                    throw tooDeep();
                }
                path.push(child);
                pending.push(children(child));
                below.push(new int[1]);
                open.put(child, Boolean.TRUE);
                continue;
            }
            Object done = path.pop();
            pending.pop();
            int height = below.pop()[0] + 1;
            open.remove(done);
            heights.put(done, height);
            if (!below.isEmpty()) {
                below.peek()[0] = Math.max(below.peek()[0], height);
            }
        }
    }

    /** Depth of a value known to be a tree: recursion stops at the limit, so it cannot overflow. */
    private static void checkTreeDepth(Object node, int depth, WorkBudget work) {
        if (depth > Limits.MAX_DEPTH) {
            throw tooDeep();
        }
        work.charge(1);
        if (node instanceof Object[]) {
            for (Object child : (Object[]) node) {
                if (isContainer(child)) {
                    checkTreeDepth(child, depth + 1, work);
                }
            }
        } else if (node instanceof List) {
            for (Object child : (List<?>) node) {
                if (isContainer(child)) {
                    checkTreeDepth(child, depth + 1, work);
                }
            }
        } else {
            for (Iterator<?> it = children(node); it.hasNext();) {
                Object child = it.next();
                if (isContainer(child)) {
                    checkTreeDepth(child, depth + 1, work);
                }
            }
        }
    }

    private static MalformedValueException tooDeep() {
        return new MalformedValueException("value nested deeper than " + Limits.MAX_DEPTH + " levels");
    }

    /**
     * The size of {@code value} counted as a tree (what hashing or printing
     * it element by element costs), or {@code cap + 1} if it is larger: each
     * container is counted once and its size remembered, so this costs the
     * value's distinct parts, not its paths. The value must have passed
     * {@link #check}.
     */
    public static long treeSize(Object value, long cap) {
        return treeSize(value, cap, new IdentityHashMap<>());
    }

    private static long treeSize(Object value, long cap, IdentityHashMap<Object, Long> sizes) {
        if (!isContainer(value)) {
            return 1 + KeyGuard.weight(value);
        }
        Long known = sizes.get(value);
        if (known != null) {
            return known;
        }
        long size = 1;
        for (Iterator<?> it = children(value); it.hasNext() && size <= cap;) {
            size += treeSize(it.next(), cap, sizes);
        }
        size = Math.min(size, cap + 1);
        sizes.put(value, size);
        return size;
    }

    /** The values a container holds: items, keys and values, or an object's arguments and state. */
    static Iterator<?> children(Object o) {
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
        List<Object> parts = new ArrayList<>(Arrays.asList(p.args()));
        parts.addAll(p.state().values());
        return parts.iterator();
    }
}
