package kaa.rpc.internal.value;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A Python {@code frozenset}: an unmodifiable {@link Set} whose hash is
 * computed once, when it is built, so that it can be a dict key or a set
 * member without its items being hashed again at every use. It is sent back
 * as a {@code frozenset}.
 */
public final class FrozenSet extends AbstractSet<Object> {

    private final Set<Object> items;
    private final int hash;
    /** What comparing it with another costs, in {@link WorkBudget} units. */
    final long weight;

    /** {@code items} must be hashable and no longer change. */
    public FrozenSet(LinkedHashSet<Object> items, long weight) {
        this.items = Collections.unmodifiableSet(items);
        this.hash = items.hashCode();
        this.weight = weight;
    }

    /** A frozen copy of {@code items}, for values made in this process. */
    public static FrozenSet of(Collection<?> items) {
        return new FrozenSet(new LinkedHashSet<>(items), items.size());
    }

    @Override
    public Iterator<Object> iterator() {
        return items.iterator();
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public boolean contains(Object o) {
        return items.contains(o);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Set && o.hashCode() == hash && super.equals(o);
    }
}
