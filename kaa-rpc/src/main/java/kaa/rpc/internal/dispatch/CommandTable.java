package kaa.rpc.internal.dispatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands a peer may call: registered objects' exposed methods by name,
 * each name with its overloads by arity. A server's channels look in their
 * own table first, then in the server's, so {@code Server.register} reaches
 * channels that are already open.
 *
 * <p>Look-ups are lock-free reads of immutable arrays; registration is rare
 * and synchronized.
 */
public final class CommandTable {

    private static final ExposedMethod[] NONE = new ExposedMethod[0];
    private static final Logger log = LoggerFactory.getLogger(CommandTable.class);

    private final CommandTable parent;
    /** Read without a lock (each value an immutable array, replaced whole); written under this table's monitor. */
    private final ConcurrentHashMap<String, ExposedMethod[]> byName = new ConcurrentHashMap<>();
    /** Guarded by this table's monitor, under which only reflection on the target runs (no user code). */
    private final Map<Object, List<ExposedMethod>> byTarget = new IdentityHashMap<>();

    public CommandTable(CommandTable parent) {
        this.parent = parent;
    }

    /**
     * Adds every exposed method of {@code target}. A method with the same name
     * and arity as one registered before replaces it, as re-binding a name does
     * in kaa.
     */
    public synchronized void register(Object target) {
        List<ExposedMethod> methods = ExposedMethod.scan(target);
        warnAboutReplacements(target, methods);
        List<ExposedMethod> old = byTarget.put(target, methods);
        Set<String> names = new LinkedHashSet<>();
        if (old != null) {
            old.forEach(m -> names.add(m.command()));
        }
        methods.forEach(m -> names.add(m.command()));
        // one update per name: a call made meanwhile finds the old methods or the new, never none
        for (String name : names) {
            byName.compute(name, (n, overloads) -> {
                ExposedMethod[] now = overloads == null ? NONE : overloads;
                if (old != null) {
                    now = Arrays.stream(now).filter(o -> !old.contains(o)).toArray(ExposedMethod[]::new);
                }
                for (ExposedMethod m : methods) {
                    if (m.command().equals(n)) {
                        now = replaceSameArity(now, new ExposedMethod[] {m});
                    }
                }
                return now.length == 0 ? null : now;
            });
        }
    }

    /**
     * A command that another registered object exposes is replaced, as in kaa;
     * silently, that hides a mistake (two services that both expose "status").
     */
    private void warnAboutReplacements(Object target, List<ExposedMethod> methods) {
        for (ExposedMethod m : methods) {
            ExposedMethod[] existing = byName.get(m.command());
            if (existing == null) {
                continue;
            }
            for (ExposedMethod o : existing) {
                if (o.target() != target && o.arity() == m.arity() && o.isVarArgs() == m.isVarArgs()) {
                    log.warn("command '{}' of {} replaces the one of {}", m.command(), m.describe(), o.describe());
                }
            }
        }
        for (ExposedMethod m : methods) {
            if (m.hasUnnamedParameters()) {
                log.warn("{} was compiled without -parameters: callers cannot pass its arguments by keyword"
                        + " (compile with -parameters, or name them with @Kw)", m.describe());
                break;
            }
        }
    }

    /** Removes what {@link #register} added for {@code target}. Returns whether it was registered. */
    public synchronized boolean unregister(Object target) {
        List<ExposedMethod> methods = byTarget.remove(target);
        if (methods == null) {
            return false;
        }
        for (ExposedMethod m : methods) {
            byName.computeIfPresent(m.command(), (name, overloads) -> {
                ExposedMethod[] left = Arrays.stream(overloads).filter(o -> o != m).toArray(ExposedMethod[]::new);
                return left.length == 0 ? null : left;
            });
        }
        return true;
    }

    private static ExposedMethod[] replaceSameArity(ExposedMethod[] old, ExposedMethod[] added) {
        ExposedMethod m = added[0];
        List<ExposedMethod> merged = new ArrayList<>(old.length + 1);
        for (ExposedMethod o : old) {
            if (o.arity() != m.arity() || o.isVarArgs() != m.isVarArgs()) {
                merged.add(o);
            }
        }
        merged.add(m);
        return merged.toArray(NONE);
    }

    /** The overloads of {@code command}, or null when nobody exposes it. */
    public ExposedMethod[] lookup(String command) {
        ExposedMethod[] own = byName.get(command);
        if (own != null) {
            return own;
        }
        return parent == null ? null : parent.lookup(command);
    }

    /** The overload that a call with these arguments binds to. */
    public static ExposedMethod select(String command, ExposedMethod[] overloads, int positional, int keywords)
            throws ExposedMethod.BindingException {
        ExposedMethod varArgs = null;
        for (ExposedMethod m : overloads) {
            if (m.accepts(positional, keywords)) {
                if (!m.isVarArgs() || positional + keywords == m.arity() && keywords > 0) {
                    return m;
                }
                varArgs = m;
            }
        }
        if (varArgs != null) {
            return varArgs;
        }
        StringJoiner arities = new StringJoiner(" or ");
        Arrays.stream(overloads).mapToInt(ExposedMethod::arity).sorted().distinct()
                .forEach(a -> arities.add(Integer.toString(a)));
        int given = positional + keywords;
        throw new ExposedMethod.BindingException(command + "() takes " + arities + " argument"
                + (arities.toString().equals("1") ? "" : "s") + " (" + given + " given)");
    }
}
