package kaa.rpc.internal.convert;

import java.lang.reflect.Array;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import kaa.rpc.internal.value.GraphCheck;
import kaa.rpc.internal.value.KeyGuard;
import kaa.rpc.internal.value.Latin1;
import kaa.rpc.internal.value.MalformedValueException;
import kaa.rpc.internal.value.PyObject;
import kaa.rpc.internal.value.Repr;
import kaa.rpc.internal.value.ValueKind;
import kaa.rpc.internal.value.WorkBudget;

/**
 * Converts decoded pickle values (as the pickle reader makes them) to the Java types a
 * method declares: numbers are widened, or narrowed when they fit; lists and
 * tuples become arrays and collections; dicts become maps, records and
 * JavaBeans; byte strings become {@code byte[]}. Anything else is a
 * {@link ConversionException} that says what was expected and what came.
 */
public final class Conversions {

    private Conversions() {
    }

    /** True when converting to {@code type} runs no user code (no record or bean constructor). */
    public static boolean isPlain(Type type) {
        Class<?> raw = rawClass(type);
        return raw == Object.class || raw.isPrimitive() || raw == String.class || raw == byte[].class
                || Number.class.isAssignableFrom(raw) && raw.getName().startsWith("java.")
                || raw == Boolean.class || raw == Character.class || raw == Void.class;
    }

    /** Converts one value from this process or a trusted source (no work limit). */
    public static Object convert(Object value, Type target) throws ConversionException {
        return new Conversion(WorkBudget.unlimited()).convert(value, target);
    }

    /**
     * A conversion of the values of one payload: its steps are charged to
     * {@code work}, and a part shared within the value is converted once per
     * target type, so the result shares it too.
     */
    public static Conversion conversion(WorkBudget work) {
        return new Conversion(work);
    }

    /** Converts the values of one payload; see {@link #conversion}. Not thread-safe. */
    public static final class Conversion {
        final WorkBudget work;
        /** Made when a first key is put into a map or set. */
        private KeyGuard keys;
        /** Per container converted: its results so far, as target type and result, pairwise. */
        private IdentityHashMap<Object, Object[]> done;

        /** Whether messages name values as Java does (for a Java caller converting an answer). */
        private boolean javaWording;
        /** Whether the value converted is a tree (no container reached twice): nothing to remember. */
        private boolean tree;

        private Conversion(WorkBudget work) {
            this.work = work;
        }

        /**
         * The value to convert is a tree, as its decoding found: no container
         * in it is reached twice, so none is remembered (a shared one is
         * converted once per target type otherwise).
         */
        public Conversion ofTree(boolean tree) {
            this.tree = tree;
            return this;
        }

        /** Messages name values as a Java reader expects ({@code String "x"}, not {@code str 'x'}). */
        public Conversion javaWording() {
            javaWording = true;
            return this;
        }

        boolean javaWorded() {
            return javaWording;
        }

        ConversionException mismatchFor(Class<?> expected, Object value) {
            return javaWording ? new ConversionException("expected " + Repr.javaName(expected) + ", got "
                    + Repr.describeJavaValue(value)) : mismatch(expected, value);
        }

        /** A value as the messages of this conversion name it. */
        String describeFor(Object value) {
            return javaWording ? Repr.describeJavaValue(value) : Repr.describeValue(value);
        }

        public Object convert(Object value, Type target) throws ConversionException {
            return convert(value, Converters.of(target));
        }

        /** Converts {@code value} with {@code converter}: one step, and a shared container once per target type. */
        public Object convert(Object value, Converters.Converter converter) throws ConversionException {
            work.charge(1);
            Type target = converter.type();
            if (target == Object.class) {
                return value; // the common case of a plain parameter: nothing to walk or remember
            }
            if (converter.scalar || tree || !ValueKind.of(value).isContainer()) {
                return convertNew(value, converter); // nothing is shared, nothing to remember
            }
            Object[] results = done == null ? null : done.get(value);
            if (results != null) {
                for (int i = 0; i < results.length; i += 2) {
                    if (results[i].equals(target)) {
                        return results[i + 1];
                    }
                }
            }
            Object result = convertNew(value, converter);
            if (done == null) {
                done = new IdentityHashMap<>();
            }
            Object[] more = results == null ? new Object[2] : Arrays.copyOf(results, results.length + 2);
            more[more.length - 2] = target;
            more[more.length - 1] = result;
            done.put(value, more);
            return result;
        }

        private Object convertNew(Object value, Converters.Converter converter) throws ConversionException {
            Class<?> raw = converter.raw;
            if (raw == Object.class) {
                return value;
            }
            if (value == null) {
                if (raw.isPrimitive()) {
                    throw mismatchFor(raw, null);
                }
                return raw == Optional.class ? Optional.empty() : null;
            }
            Object sent = value; // as the peer sent it, for messages
            if (value instanceof PyObject && ((PyObject) value).name().equals("Decimal")
                    && ((PyObject) value).module().equals("decimal") && ((PyObject) value).args().length == 1) {
                value = specialDecimal((String) ((PyObject) value).args()[0], value); // NaN, infinities, -0
            }
            return converter.convert(value, sent, this);
        }

        Object element(Object item, Converters.Converter type, int index) throws ConversionException {
            try {
                return convert(item, type);
            } catch (ConversionException e) {
                throw ConversionException.at("item " + index + ": ", e);
            }
        }

        Object field(Object item, Converters.Converter type, String name) throws ConversionException {
            try {
                return convert(item, type);
            } catch (ConversionException e) {
                throw ConversionException.at("field '" + name + "': ", e);
            }
        }

        List<?> sequence(Object value, Class<?> target) throws ConversionException {
            if (value instanceof List) {
                return (List<?>) value;
            }
            if (value instanceof Object[]) {
                return Arrays.asList((Object[]) value);
            }
            if (value instanceof Collection) {
                work.copy(((Collection<?>) value).size());
                return new ArrayList<>((Collection<?>) value);
            }
            throw mismatchFor(target, value);
        }

        /**
         * Puts a converted key into a map (or a member into a set, {@code value}
         * unused), paying for what hashing or ordering it costs: a key converted
         * from a tuple is a list that hashes every item below it.
         */
        @SuppressWarnings("unchecked")
        void insert(Object container, Object source, Object key, Object value) throws ConversionException {
            if (ValueKind.of(source).isContainer() && ValueKind.of(key).hashesItsContents()) {
                work.charge(GraphCheck.treeSize(source, Math.max(0, work.remaining())));
            }
            try {
                if (container instanceof SortedMap || container instanceof SortedSet) {
                    int size = container instanceof Map ? ((Map<?, ?>) container).size() : ((Set<?>) container).size();
                    work.charge((1 + KeyGuard.weight(key)) * (64 - Long.numberOfLeadingZeros(size + 1L)));
                }
                if (keys == null) {
                    keys = new KeyGuard(work);
                }
                if (container instanceof Map) {
                    keys.put((Map<Object, Object>) container, key, value);
                } else {
                    keys.add((Set<Object>) container, key);
                }
            } catch (MalformedValueException e) {
                throw new ConversionException(e.getMessage());
            } catch (ClassCastException e) {
                throw new ConversionException("cannot order " + Repr.describeValue(key) + " in a sorted "
                        + (container instanceof Map ? "map" : "set") + ": " + describe(e));
            }
        }

        /** A byte string as {@link #bytes}, paid for: a shared text is copied again for every use. */
        byte[] copiedBytes(Object value) throws ConversionException {
            if (value instanceof String) {
                work.copy(((String) value).length() >> 3);
            }
            return bytes(value);
        }
    }

    /** A byte string: {@code bytes}, or a Python 2 {@code str} (one char per byte). */
    static byte[] bytes(Object value) throws ConversionException {
        if (value instanceof byte[]) {
            return (byte[]) value;
        }
        if (value instanceof String) {
            try {
                return Latin1.bytes((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConversionException(e.getMessage());
            }
        }
        throw mismatch(byte[].class, value);
    }

    public static Class<?> rawClass(Type type) {
        if (type instanceof Class) {
            return (Class<?>) type;
        }
        if (type instanceof ParameterizedType) {
            return rawClass(((ParameterizedType) type).getRawType());
        }
        if (type instanceof GenericArrayType) {
            return Array.newInstance(rawClass(((GenericArrayType) type).getGenericComponentType()), 0).getClass();
        }
        if (type instanceof WildcardType) {
            return rawClass(((WildcardType) type).getUpperBounds()[0]);
        }
        if (type instanceof TypeVariable) {
            return rawClass(((TypeVariable<?>) type).getBounds()[0]);
        }
        return Object.class;
    }

    static Class<?> box(Class<?> c) {
        if (!c.isPrimitive()) {
            return c;
        }
        if (c == int.class) {
            return Integer.class;
        }
        if (c == long.class) {
            return Long.class;
        }
        if (c == double.class) {
            return Double.class;
        }
        if (c == boolean.class) {
            return Boolean.class;
        }
        if (c == float.class) {
            return Float.class;
        }
        if (c == short.class) {
            return Short.class;
        }
        if (c == byte.class) {
            return Byte.class;
        }
        if (c == char.class) {
            return Character.class;
        }
        return Void.class;
    }

    private static ConversionException mismatch(Class<?> expected, Object value) {
        return new ConversionException("expected " + Repr.javaName(expected) + ", got " + Repr.describeValue(value));
    }

    /** A Decimal BigDecimal cannot hold, as the nearest Java number: -0 as 0, NaN and infinities as doubles. */
    private static Object specialDecimal(String text, Object otherwise) {
        String t = text.toLowerCase(Locale.ROOT);
        if (t.contains("nan")) {
            return Double.NaN;
        }
        if (t.contains("inf")) {
            return t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    static String describe(Throwable e) {
        Throwable cause = e instanceof InvocationTargetException && e.getCause() != null
                ? e.getCause() : e;
        String type = Repr.className(cause.getClass(), false);
        return cause.getMessage() == null ? type : type + ": " + cause.getMessage();
    }

    /** Keys of a dict decoded from a Python peer, as a Java map with string keys. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> stringKeys(Map<?, ?> map) throws ConversionException {
        for (Object key : map.keySet()) {
            if (!(key instanceof String)) {
                throw new ConversionException("keyword argument names must be str, got " + Repr.describeValue(key));
            }
        }
        return (Map<String, Object>) map;
    }
}
