package kaa.rpc;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Keyword arguments for a call: pass it as the last argument of
 * {@link Channel#rpc(String, Object...)}.
 *
 * <pre>{@code
 * client.rpc("greet", "bob", Kwargs.of("greeting", "hi"));   // greet('bob', greeting='hi')
 * client.rpc("do_something", Kwargs.of("foo", 4));           // do_something(foo=4)
 * }</pre>
 *
 * A {@code Map} passed anywhere else is an ordinary dict argument.
 */
public final class Kwargs {

    private final Map<String, Object> values;

    private Kwargs(Map<String, Object> values) {
        this.values = values;
    }

    /**
     * One keyword argument.
     *
     * @param name the keyword
     * @param value its value; null is Python's None
     * @return the keyword argument
     */
    public static Kwargs of(String name, Object value) {
        return new Kwargs(new LinkedHashMap<>()).and(name, value);
    }

    /**
     * Two keyword arguments.
     *
     * @param name1 the first keyword
     * @param value1 its value
     * @param name2 the second keyword
     * @param value2 its value
     * @return the keyword arguments, in this order
     * @throws IllegalArgumentException if the two keywords are the same
     */
    public static Kwargs of(String name1, Object value1, String name2, Object value2) {
        return of(name1, value1).and(name2, value2);
    }

    /**
     * Keyword arguments from a map, in its iteration order.
     *
     * @param values the values by keyword; the map is copied
     * @return the keyword arguments
     * @throws NullPointerException if a keyword is null
     */
    public static Kwargs of(Map<String, ?> values) {
        Map<String, Object> copy = new LinkedHashMap<>();
        values.forEach((name, value) -> copy.put(Objects.requireNonNull(name, "keyword argument name"), value));
        return new Kwargs(copy);
    }

    /**
     * Returns a copy of these keyword arguments with one more.
     *
     * @param name the keyword, not one of these already
     * @param value its value; null is Python's None
     * @return the copy, with {@code name} last
     * @throws IllegalArgumentException if {@code name} is one of these already
     */
    public Kwargs and(String name, Object value) {
        Objects.requireNonNull(name, "keyword argument name");
        Map<String, Object> copy = new LinkedHashMap<>(values);
        if (copy.put(name, value) != null || (value == null && values.containsKey(name))) {
            throw new IllegalArgumentException("keyword argument '" + name + "' given twice");
        }
        return new Kwargs(copy);
    }

    /** {@return the keyword arguments by keyword, in order, unmodifiable} */
    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Kwargs && ((Kwargs) o).values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "Kwargs" + values;
    }
}
