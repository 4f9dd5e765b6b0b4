package kaa.rpc.internal.convert;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import kaa.rpc.internal.value.PyObject;
import kaa.rpc.internal.value.Repr;
import kaa.rpc.internal.value.SurrogateText;

/**
 * The converter for each Java target type: one tree, built once, that both
 * answers whether a type can be converted to ({@link #whyNot}, which the proxy
 * check asks) and converts ({@link Conversions.Conversion}). Because both are the
 * same nodes, the check cannot accept a type the conversion refuses, or the
 * other way round.
 *
 * <p>Caching. A converter for a {@link Class} is kept in a {@link ClassValue},
 * beside the class, so an unloaded class takes its converter with it. A
 * parameterized or generic-array type is not cached: its node is built per
 * call from the cached converters of the classes it names (a few small objects).
 * A map keyed by such types would hold the classes they name, and with them
 * their class loaders, for as long as it lives; building them again costs less
 * than a conversion's first step. A record's or bean's parts (its components,
 * its properties) are built on first use, not when its converter is made, so
 * that a record that holds a list of itself finds its own converter, complete
 * or in the making, instead of looping.
 */
public final class Converters {

    private static final ClassValue<Converter> BY_CLASS = new ClassValue<>() {
        @Override
        protected Converter computeValue(Class<?> type) {
            return build(type, type);
        }
    };

    /**
     * The classes of the values a decoded pickle holds beyond containers and
     * enums, each converted as it is: a target that is one of them, or that
     * one of them implements (CharSequence, Number, Temporal, PythonObject),
     * takes such a value. The dispatch of {@link #build} gives the java.time
     * ones, UUID and PyObject their converter from this same list.
     */
    private static final List<Class<?>> VALUE_CLASSES = List.of(String.class, Integer.class, Long.class,
            Short.class, Byte.class, Double.class, Float.class, Boolean.class, Character.class, BigInteger.class,
            BigDecimal.class, byte[].class, Object[].class, LocalDate.class, LocalTime.class, OffsetTime.class,
            LocalDateTime.class, OffsetDateTime.class, Instant.class, ZonedDateTime.class, Duration.class,
            ZoneOffset.class, UUID.class, PyObject.class);

    private Converters() {
    }

    /**
     * The converter for {@code type}.
     *
     * @throws ConversionException saying why no value received could ever convert to it
     */
    public static Converter forType(Type type) throws ConversionException {
        Converter c = of(type);
        String why = c.why(new HashSet<>());
        if (why != null) {
            throw new ConversionException(why);
        }
        return c;
    }

    /**
     * Why no value could ever convert to {@code type}, or null when some can:
     * asked once, where a proxy interface is analysed, so that a wrong
     * interface fails at once rather than at a call.
     */
    public static String whyNot(Type type) {
        try {
            forType(type);
            return null;
        } catch (ConversionException e) {
            return e.getMessage();
        }
    }

    /**
     * The converter for {@code type}, whether or not some value converts to
     * it: the conversion uses it even so, so that a value met there is refused
     * with what it is ("cannot create a Queue", "expected Runnable, got int 1").
     * A parameterized type's converter is made anew on each call: hold it
     * where the type is declared (an exposed method holds its parameters').
     */
    public static Converter of(Type type) {
        if (type instanceof Class) {
            return BY_CLASS.get((Class<?>) type);
        }
        if (type instanceof ParameterizedType || type instanceof GenericArrayType) {
            return build(type, Conversions.rawClass(type));
        }
        return BY_CLASS.get(Conversions.rawClass(type)); // a wildcard or type variable: its bound
    }

    private static Converter build(Type type, Class<?> raw) {
        if (raw == Object.class) {
            return new Identity(type);
        }
        if (raw.isPrimitive() || Number.class.isAssignableFrom(raw) || raw == Boolean.class
                || raw == Character.class) {
            return new Scalar(type, raw);
        }
        if (raw == String.class) {
            return new Text(type);
        }
        if (raw == byte[].class || raw == ByteBuffer.class) {
            return new Bytes(type, raw);
        }
        if (raw == Optional.class) {
            return new OptionalOf(type, typeArgument(type, 0));
        }
        if (raw.isEnum()) {
            return new EnumOf(type, raw);
        }
        if (raw.isArray()) {
            return new ArrayOf(type, raw);
        }
        if (Map.class.isAssignableFrom(raw)) {
            return new MapOf(type, raw);
        }
        if (Collection.class.isAssignableFrom(raw) || raw == Iterable.class) {
            return new CollectionOf(type, raw);
        }
        if (raw.isRecord()) {
            return new RecordOf(type, raw);
        }
        if (VALUE_CLASSES.contains(raw)) {
            return new Plain(type, raw, null); // java.time, UUID, PyObject: the value as it came
        }
        return new Plain(type, raw, plainReason(raw));
    }

    /** Why a class that is no container, record or value class takes no value received, or null. */
    private static String plainReason(Class<?> raw) {
        for (Class<?> c : VALUE_CLASSES) {
            if (raw.isAssignableFrom(c)) {
                return null;
            }
        }
        if (isAbstract(raw)) {
            return "is abstract: no value received converts to it";
        }
        if (!hasNoArgConstructor(raw)) {
            return "is neither a value type, a record, nor a bean with a constructor without arguments";
        }
        Object constructor = NO_ARG_CONSTRUCTORS.get(raw);
        return constructor instanceof InaccessibleObjectException ? "cannot be created: " + notOpen(raw) : null;
    }

    /** Why reflection may not make or fill {@code raw}: the module system's part, with what to write. */
    static String notOpen(Class<?> raw) {
        String pkg = raw.getPackageName();
        return "its package " + pkg + " is not open to module kaa.rpc; add 'opens " + pkg
                + " to kaa.rpc;' to your module-info.java";
    }

    private static boolean isAbstract(Class<?> raw) {
        return raw.isInterface() || Modifier.isAbstract(raw.getModifiers());
    }

    private static boolean hasNoArgConstructor(Class<?> raw) {
        try {
            raw.getDeclaredConstructor();
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static Type typeArgument(Type type, int index) {
        if (type instanceof ParameterizedType) {
            Type[] args = ((ParameterizedType) type).getActualTypeArguments();
            if (index < args.length) {
                return args[index];
            }
        }
        return Object.class;
    }

    /** The message of a type argument's reason, as the proxy check words it. */
    private static String its(Type argument, Converter c, Set<Type> seen) {
        String why = c.why(seen);
        return why == null ? null : "(its " + argument.getTypeName() + " " + why + ")";
    }

    /** Converts a non-null value (with a Decimal's specials resolved) to one Java type. */
    public abstract static class Converter {
        final Type type;
        final Class<?> raw;
        /** Whether its values hold nothing (a number, a string, a boolean): nothing shared to remember. */
        final boolean scalar;

        Converter(Type type, Class<?> raw) {
            this.type = type;
            this.raw = raw;
            this.scalar = type instanceof Class && (raw.isPrimitive() || raw == String.class
                    || Number.class.isAssignableFrom(raw) || raw == Boolean.class || raw == Character.class);
        }

        /** The target type. */
        public Type type() {
            return type;
        }

        /**
         * @param value the value, not null, a Decimal's NaN or infinity as a double
         * @param sent the value as the peer sent it, for messages
         */
        abstract Object convert(Object value, Object sent, Conversions.Conversion c) throws ConversionException;

        /** Why no value converts to it, or null; {@code seen} holds the record types already being asked (by their type, since a parameterized one is a new converter each time). */
        String why(Set<Type> seen) {
            return null;
        }
    }

    /** Object (or a wildcard's or type variable's bound of Object): the value as it came. */
    private static final class Identity extends Converter {
        Identity(Type type) {
            super(type, Object.class);
        }

        @Override
        Object convert(Object value, Object sent, Conversions.Conversion c) {
            return value;
        }
    }

    /** A primitive, its box, a Number, BigInteger or BigDecimal: widened, or narrowed when it fits. */
    private static final class Scalar extends Converter {
        private final Class<?> boxed;
        private final String why;

        Scalar(Type type, Class<?> raw) {
            super(type, raw);
            boxed = Conversions.box(raw);
            // a number arrives as one of the value classes: another Number (AtomicLong, a subclass) is never made
            why = raw.isPrimitive() || raw == Number.class || VALUE_CLASSES.contains(raw) ? null
                    : "is a Number no value received converts to; declare long, int, double, BigInteger, "
                            + "BigDecimal or Number";
        }

        @Override
        String why(Set<Type> seen) {
            return why;
        }

        @Override
        Object convert(Object value, Object sent, Conversions.Conversion c) throws ConversionException {
            if (value instanceof BigInteger) {
                c.work.charge(((BigInteger) value).bitLength() >> 6);
            }
            if (boxed.isInstance(value)) {
                return value;
            }
            if (boxed == Boolean.class) {
                throw c.mismatchFor(raw, value);
            }
            if (boxed == Character.class) {
                if (value instanceof String && ((String) value).length() == 1) {
                    return ((String) value).charAt(0);
                }
                throw c.mismatchFor(raw, value);
            }
            if (!(value instanceof Number) || value instanceof Boolean) {
                throw c.mismatchFor(raw, value);
            }
            Number n = (Number) value;
            boolean small = value instanceof Integer || value instanceof Long || value instanceof Short
                    || value instanceof Byte;
            boolean integralTarget = boxed == Long.class || boxed == Integer.class || boxed == Short.class
                    || boxed == Byte.class;
            if (small && integralTarget) {
                long v = n.longValue(); // the common case, without a BigInteger
                if (boxed == Long.class) {
                    return v;
                }
                if (boxed == Integer.class ? v == (int) v : boxed == Short.class ? v == (short) v : v == (byte) v) {
                    return boxed == Integer.class ? (Object) (int) v : boxed == Short.class ? (Object) (short) v
                            : (Object) (byte) v;
                }
                throw outOfRange(c, Long.toString(v));
            }
            boolean integral = small || value instanceof BigInteger;
            if (boxed == Double.class) {
                return n.doubleValue();
            }
            if (boxed == Float.class) {
                return n.floatValue();
            }
            if (boxed == BigDecimal.class) {
                if (!integral && !Double.isFinite(n.doubleValue())) {
                    throw new ConversionException("expected BigDecimal, got " + c.describeFor(sent)
                            + ", which it cannot hold");
                }
                return value instanceof BigInteger ? new BigDecimal((BigInteger) value)
                        : integral ? BigDecimal.valueOf(n.longValue()) : BigDecimal.valueOf(n.doubleValue());
            }
            if (!integral) {
                String name = c.javaWorded() ? Repr.javaName(sent.getClass()) : Repr.pythonType(sent);
                throw new ConversionException("expected " + Repr.javaName(raw) + ", got " + c.describeFor(sent)
                        + " (a " + name + " is not converted to an integer type)");
            }
            BigInteger big = value instanceof BigInteger ? (BigInteger) value : BigInteger.valueOf(n.longValue());
            if (boxed == BigInteger.class) {
                return big;
            }
            if (boxed == Long.class && big.bitLength() < 64) {
                return big.longValue();
            }
            if (boxed == Integer.class && big.bitLength() < 32) {
                return big.intValue();
            }
            if (boxed == Short.class && big.bitLength() < 16) {
                return big.shortValue();
            }
            if (boxed == Byte.class && big.bitLength() < 8) {
                return big.byteValue();
            }
            if (integralTarget) {
                throw outOfRange(c, Repr.repr(big));
            }
            throw c.mismatchFor(raw, value);
        }

        private ConversionException outOfRange(Conversions.Conversion c, String number) {
            return new ConversionException("expected " + Repr.javaName(raw) + ", got " + (c.javaWorded() ? "" : "int ")
                    + number + ", which is out of its range");
        }
    }

    /** String: a str (a SurrogateText's split pairs become one char each: Java's only way). */
    private static final class Text extends Converter {
        Text(Type type) {
            super(type, String.class);
        }

        @Override
        Object convert(Object value, Object sent, Conversions.Conversion c) throws ConversionException {
            if (value instanceof String || value instanceof Character || value instanceof SurrogateText) {
                return value.toString();
            }
            throw c.mismatchFor(raw, value);
        }
    }

    /** byte[] or ByteBuffer: bytes, or a Python 2 byte string. */
    private static final class Bytes extends Converter {
        Bytes(Type type, Class<?> raw) {
            super(type, raw);
        }

        @Override
        Object convert(Object value, Object sent, Conversions.Conversion c) throws ConversionException {
            byte[] b = c.copiedBytes(value);
            return raw == ByteBuffer.class ? ByteBuffer.wrap(b) : b;
        }
    }

    private static final class OptionalOf extends Converter {
        private final Type argument;
        private final Converter of;

        OptionalOf(Type type, Type argument) {
            super(type, Optional.class);
            this.argument = argument;
            this.of = of(argument);
        }

        @Override
        String why(Set<Type> seen) {
            return its(argument, of, seen);
        }

        @Override
        Object convert(Object value, Object sent, Conversions.Conversion c) throws ConversionException {
            return Optional.ofNullable(c.convert(value, of));
        }
    }

    private static final class EnumOf extends Converter {
        private final Object[] constants;

        EnumOf(Type type, Class<?> raw) {
            super(type, raw);
            constants = raw.getEnumConstants();
        }

        @Override
        Object convert(Object value, Object sent, Conversions.Conversion c) throws ConversionException {
            if (value instanceof String) {
                for (Object constant : constants) {
                    if (((Enum<?>) constant).name().equals(value)) {
                        return constant;
                    }
                }
                throw new ConversionException("expected one of " + Arrays.toString(constants)
                        + " (" + Repr.javaName(raw) + "), got " + Repr.repr(value));
            }
            throw c.mismatchFor(raw, value);
        }
    }

    private static final class ArrayOf extends Converter {
        private final Converter component;

        ArrayOf(Type type, Class<?> raw) {
            super(type, raw);
            component = of(type instanceof GenericArrayType
                    ? ((GenericArrayType) type).getGenericComponentType() : raw.getComponentType());
        }

        @Override
        String why(Set<Type> seen) {
            return component.why(seen);
        }

        @Override
        Object convert(Object value, Object sent, Conversions.Conversion c) throws ConversionException {
            List<?> items = c.sequence(value, raw);
            Object array = Array.newInstance(raw.getComponentType(), items.size());
            for (int i = 0; i < items.size(); i++) {
                Array.set(array, i, c.element(items.get(i), component, i));
            }
            return array;
        }
    }

    /** Why a collection or map class cannot be made, or null. */
    private static String creationReason(Class<?> raw) {
        if (isAbstract(raw)) {
            return implementation(raw) != null ? null
                    : "cannot be created; declare List, Set, Map or a concrete class";
        }
        return hasNoArgConstructor(raw) ? null : "cannot be created: it has no constructor without arguments";
    }

    /**
     * What the conversion fills for an abstract collection or map type, or
     * null when none of them is one (a ConcurrentMap, a Set of one's own):
     * refused then, rather than filled with something that is not one.
     */
    private static Class<?> implementation(Class<?> raw) {
        List<Class<?>> candidates = Map.class.isAssignableFrom(raw) ? List.of(LinkedHashMap.class, TreeMap.class)
                : Set.class.isAssignableFrom(raw) ? List.of(LinkedHashSet.class, TreeSet.class)
                : List.of(ArrayList.class);
        for (Class<?> c : candidates) {
            if (raw.isAssignableFrom(c)) {
                return c;
            }
        }
        return null;
    }

    private static final class CollectionOf extends Converter {
        private final Type elementType;
        private final Converter element;

        CollectionOf(Type type, Class<?> raw) {
            super(type, raw);
            elementType = typeArgument(type, 0);
            element = of(elementType);
        }

        @Override
        String why(Set<Type> seen) {
            String why = creationReason(raw);
            return why != null ? why : its(elementType, element, seen);
        }

        @Override
        Object convert(Object value, Object sent, Conversions.Conversion c) throws ConversionException {
            List<?> items = c.sequence(value, raw);
            Collection<Object> out;
            if (isAbstract(raw)) {
                Class<?> made = implementation(raw);
                if (made == TreeSet.class) {
                    out = new TreeSet<>();
                } else if (made == LinkedHashSet.class) {
                    out = new LinkedHashSet<>();
                } else if (made == ArrayList.class) {
                    out = new ArrayList<>(items.size());
                } else {
                    throw new ConversionException("cannot create a " + Repr.javaName(raw)
                            + "; declare List, Set or a concrete class");
                }
            } else {
                out = instantiate(raw);
            }
            for (int i = 0; i < items.size(); i++) {
                Object item = c.element(items.get(i), element, i);
                if (out instanceof Set) {
                    c.insert(out, items.get(i), item, null);
                } else {
                    out.add(item);
                }
            }
            return out;
        }
    }

    private static final class MapOf extends Converter {
        private final Type keyType;
        private final Type valueType;
        private final Converter key;
        private final Converter value;

        MapOf(Type type, Class<?> raw) {
            super(type, raw);
            keyType = typeArgument(type, 0);
            valueType = typeArgument(type, 1);
            key = of(keyType);
            value = of(valueType);
        }

        @Override
        String why(Set<Type> seen) {
            String why = creationReason(raw);
            if (why == null) {
                why = its(keyType, key, seen);
            }
            return why != null ? why : its(valueType, value, seen);
        }

        @Override
        Object convert(Object v, Object sent, Conversions.Conversion c) throws ConversionException {
            Map<?, ?> in;
            if (v instanceof Map) {
                in = (Map<?, ?>) v;
            } else if (v instanceof PyObject) {
                in = ((PyObject) v).state();
            } else {
                throw c.mismatchFor(raw, v);
            }
            Map<Object, Object> out;
            if (isAbstract(raw)) {
                Class<?> made = implementation(raw);
                if (made == null) {
                    throw new ConversionException("cannot create a " + Repr.javaName(raw)
                            + "; declare Map, SortedMap or a concrete class");
                }
                out = made == TreeMap.class ? new TreeMap<>() : new LinkedHashMap<>();
            } else {
                out = instantiate(raw);
            }
            for (Map.Entry<?, ?> e : in.entrySet()) {
                Object k;
                try {
                    k = c.convert(e.getKey(), key);
                } catch (ConversionException x) {
                    throw ConversionException.at("key " + Repr.repr(e.getKey()) + ": ", x);
                }
                Object converted;
                try {
                    converted = c.convert(e.getValue(), value);
                } catch (ConversionException x) {
                    throw ConversionException.at("value of key " + Repr.repr(e.getKey()) + ": ", x);
                }
                c.insert(out, e.getKey(), k, converted);
            }
            return out;
        }
    }

    /**
     * Anything else: a value as it came when it is one already (an in-process
     * value, a java.time value, a UUID, a Python object), an aware datetime as
     * an Instant or ZonedDateTime, or a bean made from a dict or an object's state.
     */
    private static class Plain extends Converter {
        private final String why;
        /** The bean's properties, made on first use (a bean may hold itself). */
        private volatile BeanPlan bean;

        Plain(Type type, Class<?> raw, String why) {
            super(type, raw);
            this.why = why;
        }

        @Override
        String why(Set<Type> seen) {
            return why;
        }

        @Override
        final Object convert(Object value, Object sent, Conversions.Conversion c) throws ConversionException {
            if (raw.isInstance(value)) {
                return value;
            }
            if (value instanceof OffsetDateTime) {
                OffsetDateTime t = (OffsetDateTime) value;
                if (raw == Instant.class) {
                    return t.toInstant();
                }
                if (raw == ZonedDateTime.class) {
                    return t.toZonedDateTime();
                }
            }
            return other(value, c);
        }

        /** A value that is not a {@code raw} already. */
        Object other(Object value, Conversions.Conversion c) throws ConversionException {
            if (value instanceof Map || value instanceof PyObject) {
                return bean(value, c);
            }
            throw c.mismatchFor(raw, value);
        }

        private Object bean(Object value, Conversions.Conversion c) throws ConversionException {
            Map<?, ?> fields = fields(value, raw, c);
            Object made = instantiate(raw);
            BeanPlan plan = bean;
            if (plan == null) {
                bean = plan = new BeanPlan(raw); // made twice at worst, by two threads at once: the same plan
            }
            for (Map.Entry<?, ?> e : fields.entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw new ConversionException("expected " + Repr.javaName(raw) + ", got a dict with key "
                            + Repr.repr(e.getKey()));
                }
                String name = (String) e.getKey();
                Property p = plan.property(name);
                if (p == null) {
                    throw new ConversionException(Repr.javaName(raw) + " has no property " + Repr.repr(name));
                }
                try {
                    p.set(made, c.field(e.getValue(), p.converter(), name));
                } catch (ReflectiveOperationException | RuntimeException x) {
                    throw new ConversionException("cannot set " + Repr.javaName(raw) + "."
                            + Repr.truncate(name, 60) + ": " + Conversions.describe(x));
                }
            }
            return made;
        }
    }

    /** A record: from a dict of its components, an object's state, or a sequence in their order. */
    private static final class RecordOf extends Plain {
        /** Guards making {@link #parts} (and {@link #making}) once; only reflection runs under it. */
        private final Object lock = new Object();
        private volatile Parts parts;
        /** Whether this thread is making {@link #parts} now: a component of this record's own type asks again. */
        private boolean making;
        private volatile String why;

        RecordOf(Type type, Class<?> raw) {
            super(type, raw, null);
        }

        /** The components and the canonical constructor, or null when asked again while they are being made. */
        private Parts parts() {
            Parts p = parts;
            if (p != null) {
                return p;
            }
            synchronized (lock) {
                if (parts == null && !making) {
                    making = true;
                    try {
                        parts = new Parts(raw);
                    } finally {
                        making = false;
                    }
                }
                return parts;
            }
        }

        @Override
        String why(Set<Type> seen) {
            String known = why;
            if (known != null) {
                return known.isEmpty() ? null : known;
            }
            boolean root = seen.isEmpty();
            Parts p = parts();
            if (p == null || !seen.add(type)) {
                return null; // a record inside itself: what it holds is asked where it starts
            }
            String found = p.failure instanceof InaccessibleObjectException ? "cannot be created: " + notOpen(raw)
                    : null;
            for (int i = 0; i < p.names.length && found == null; i++) {
                String w = p.converters[i].why(seen);
                if (w != null) {
                    found = "(its component " + p.names[i] + " " + w + ")";
                }
            }
            if (root) {
                why = found == null ? "" : found; // complete only when asked from here
            }
            return found;
        }

        @Override
        Object other(Object value, Conversions.Conversion c) throws ConversionException {
            Parts plan = parts();
            Object[] args = new Object[plan.names.length];
            if (value instanceof Object[] || value instanceof List) {
                List<?> items = c.sequence(value, raw);
                if (items.size() != args.length) {
                    throw new ConversionException("expected " + Repr.javaName(raw) + " (" + args.length
                            + " fields), got a sequence of " + items.size());
                }
                for (int i = 0; i < args.length; i++) {
                    args[i] = c.field(items.get(i), plan.converters[i], plan.names[i]);
                }
            } else {
                Map<?, ?> fields = fields(value, raw, c);
                for (int i = 0; i < args.length; i++) {
                    String name = plan.names[i];
                    if (plan.primitive[i] && !fields.containsKey(name)) {
                        throw new ConversionException("expected " + Repr.javaName(raw)
                                + ", got a dict without key '" + name + "'");
                    }
                    args[i] = c.field(fields.get(name), plan.converters[i], name);
                }
            }
            if (plan.constructor == null) {
                throw new ConversionException("cannot construct " + Repr.javaName(raw) + ": "
                        + (plan.failure instanceof InaccessibleObjectException ? notOpen(raw)
                                : Conversions.describe(plan.failure)));
            }
            try {
                return plan.constructor.newInstance(args);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new ConversionException("cannot construct " + Repr.javaName(raw) + ": " + Conversions.describe(e));
            }
        }

        /** A record's components and canonical constructor (or why it cannot be called). */
        private static final class Parts {
            final String[] names;
            final Converter[] converters;
            final boolean[] primitive;
            final Constructor<?> constructor;
            final Exception failure;

            Parts(Class<?> raw) {
                RecordComponent[] components = raw.getRecordComponents();
                names = new String[components.length];
                converters = new Converter[components.length];
                primitive = new boolean[components.length];
                Class<?>[] classes = new Class<?>[components.length];
                for (int i = 0; i < components.length; i++) {
                    names[i] = components[i].getName();
                    converters[i] = of(components[i].getGenericType());
                    classes[i] = components[i].getType();
                    primitive[i] = classes[i].isPrimitive();
                }
                Constructor<?> c = null;
                Exception failure = null;
                try {
                    c = raw.getDeclaredConstructor(classes);
                    c.setAccessible(true);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    c = null;
                    failure = e;
                }
                this.constructor = c;
                this.failure = failure;
            }
        }
    }

    private static Map<?, ?> fields(Object value, Class<?> raw, Conversions.Conversion c) throws ConversionException {
        if (value instanceof Map) {
            return (Map<?, ?>) value;
        }
        if (value instanceof PyObject) {
            return ((PyObject) value).state();
        }
        throw c.mismatchFor(raw, value);
    }

    /** A bean's property: a setter, or a public field neither static nor final. */
    private static final class Property {
        private final Method setter;
        private final Field field;
        private volatile Converter converter;

        Property(Method setter, Field field) {
            this.setter = setter;
            this.field = field;
        }

        /** Made on first use: a property may be of its own bean's type. */
        Converter converter() {
            Converter c = converter;
            if (c == null) {
                converter = c = of(setter != null ? setter.getGenericParameterTypes()[0] : field.getGenericType());
            }
            return c;
        }

        void set(Object bean, Object value) throws ReflectiveOperationException {
            if (setter != null) {
                setter.invoke(bean, value);
            } else {
                field.set(bean, value);
            }
        }
    }

    /** A bean's setters (by their names) and public fields, as the conversion looks a property up. */
    private static final class BeanPlan {
        private final Map<String, Property> setters = new HashMap<>();
        private final Map<String, Property> fields = new HashMap<>();

        BeanPlan(Class<?> raw) {
            for (Method m : raw.getMethods()) {
                if (m.getName().startsWith("set") && m.getParameterCount() == 1
                        && !Modifier.isStatic(m.getModifiers())) {
                    setters.putIfAbsent(m.getName(), new Property(m, null)); // the first, as getMethods() lists them
                }
            }
            for (Field f : raw.getFields()) {
                if (!fields.containsKey(f.getName())) { // in getField's order: the class, its interfaces, its superclass
                    fields.put(f.getName(), Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers())
                            ? null : new Property(null, f));
                }
            }
        }

        Property property(String name) {
            if (name.isEmpty()) {
                return fields.get(name);
            }
            Property setter = setters.get("set" + Character.toUpperCase(name.charAt(0)) + name.substring(1));
            return setter != null ? setter : fields.get(name);
        }
    }

    /** A class's accessible no-argument constructor, or why there is none (the exception its look-up threw). */
    private static final ClassValue<Object> NO_ARG_CONSTRUCTORS = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
            try {
                Constructor<?> c = type.getDeclaredConstructor();
                c.setAccessible(true);
                return c;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return e;
            }
        }
    };

    @SuppressWarnings("unchecked")
    private static <T> T instantiate(Class<?> raw) throws ConversionException {
        try {
            Object c = NO_ARG_CONSTRUCTORS.get(raw);
            if (c instanceof ReflectiveOperationException) {
                throw (ReflectiveOperationException) c;
            }
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            return (T) ((Constructor<?>) c).newInstance();
        } catch (InaccessibleObjectException e) {
            throw new ConversionException("cannot create " + Repr.javaName(raw) + ": " + notOpen(raw));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ConversionException("cannot create " + Repr.javaName(raw)
                    + ": it needs an accessible no-argument constructor (" + Conversions.describe(e) + ")");
        }
    }
}
