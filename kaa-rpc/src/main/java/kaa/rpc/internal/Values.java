package kaa.rpc.internal;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
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
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Converts decoded pickle values (as the pickle reader makes them) to the Java types a
 * method declares: numbers are widened, or narrowed when they fit; lists and
 * tuples become arrays and collections; dicts become maps, records and
 * JavaBeans; byte strings become {@code byte[]}. Anything else is a
 * {@link ConversionException} that says what was expected and what came.
 */
public final class Values {

    /*
     * The reflection a conversion needs is found once per class. ClassValue
     * holds it beside the class itself, so a class that is unloaded takes its
     * plan with it: no map here keeps a class loader alive.
     */
    private static final ClassValue<RecordPlan> RECORDS = new ClassValue<>() {
        @Override
        protected RecordPlan computeValue(Class<?> type) {
            return new RecordPlan(type);
        }
    };
    private static final ClassValue<BeanPlan> BEANS = new ClassValue<>() {
        @Override
        protected BeanPlan computeValue(Class<?> type) {
            return new BeanPlan(type);
        }
    };
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

    /** A record's components and canonical constructor (or why it cannot be called). */
    private static final class RecordPlan {
        final String[] names;
        final Type[] types;
        final boolean[] primitive;
        final Constructor<?> constructor;
        final Exception failure;

        RecordPlan(Class<?> raw) {
            RecordComponent[] components = raw.getRecordComponents();
            names = new String[components.length];
            types = new Type[components.length];
            primitive = new boolean[components.length];
            Class<?>[] classes = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                names[i] = components[i].getName();
                types[i] = components[i].getGenericType();
                classes[i] = components[i].getType();
                primitive[i] = classes[i].isPrimitive();
            }
            Constructor<?> c = null;
            Exception why = null;
            try {
                c = raw.getDeclaredConstructor(classes);
                c.setAccessible(true);
            } catch (ReflectiveOperationException | RuntimeException e) {
                c = null;
                why = e;
            }
            constructor = c;
            failure = why;
        }
    }

    /** A bean's setters (by their names) and public fields, as the conversion looks a property up. */
    private static final class BeanPlan {
        private final Map<String, Method> setters = new HashMap<>();
        private final Map<String, Field> fields = new HashMap<>();

        BeanPlan(Class<?> raw) {
            for (Method m : raw.getMethods()) {
                if (m.getName().startsWith("set") && m.getParameterCount() == 1
                        && !Modifier.isStatic(m.getModifiers())) {
                    setters.putIfAbsent(m.getName(), m); // the first, as a scan of getMethods() finds it
                }
            }
            for (Field f : raw.getFields()) {
                fields.putIfAbsent(f.getName(), f); // in getField's order: the class, its interfaces, its superclass
            }
        }

        Method setter(String name) {
            return name.isEmpty() ? null
                    : setters.get("set" + Character.toUpperCase(name.charAt(0)) + name.substring(1));
        }

        Field field(String name) {
            Field f = fields.get(name);
            return f == null || Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers()) ? null : f;
        }
    }

    private Values() {
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
        return new Conversion(Work.unlimited()).convert(value, target);
    }

    /**
     * A conversion of the values of one payload: its steps are charged to
     * {@code work}, and a part shared within the value is converted once per
     * target type, so the result shares it too.
     */
    public static Conversion conversion(Work work) {
        return new Conversion(work);
    }

    /** Converts the values of one payload; see {@link #conversion}. Not thread-safe. */
    public static final class Conversion {
        private final Work work;
        /** Made when a first key is put into a map or set. */
        private Keys keys;
        /** Per container converted: its results so far, as target type and result, pairwise. */
        private IdentityHashMap<Object, Object[]> done;

        /** Whether messages name values as Java does (for a Java caller converting an answer). */
        private boolean javaWording;

        private Conversion(Work work) {
            this.work = work;
        }

        /** Messages name values as a Java reader expects ({@code String "x"}, not {@code str 'x'}). */
        public Conversion javaWording() {
            javaWording = true;
            return this;
        }

        private ConversionException mismatchFor(Class<?> expected, Object value) {
            return javaWording ? new ConversionException("expected " + Repr.javaName(expected) + ", got "
                    + Repr.describeJavaValue(value)) : mismatch(expected, value);
        }

        /** A value as the messages of this conversion name it. */
        private String describeFor(Object value) {
            return javaWording ? Repr.describeJavaValue(value) : Repr.describeValue(value);
        }

        public Object convert(Object value, Type target) throws ConversionException {
            work.charge(1);
            if (target == Object.class) {
                return value; // the common case of a plain parameter: nothing to walk or remember
            }
            if (isScalar(target) || !ValueKind.of(value).isContainer()) {
                return convertNew(value, target); // nothing is shared, nothing to remember
            }
            Object[] results = done == null ? null : done.get(value);
            if (results != null) {
                for (int i = 0; i < results.length; i += 2) {
                    if (results[i].equals(target)) {
                        return results[i + 1];
                    }
                }
            }
            Object result = convertNew(value, target);
            if (done == null) {
                done = new IdentityHashMap<>();
            }
            Object[] more = results == null ? new Object[2] : Arrays.copyOf(results, results.length + 2);
            more[more.length - 2] = target;
            more[more.length - 1] = result;
            done.put(value, more);
            return result;
        }

        private Object convertNew(Object value, Type target) throws ConversionException {
            Class<?> raw = rawClass(target);
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
            if (raw.isPrimitive() || Number.class.isAssignableFrom(raw) || raw == Boolean.class
                    || raw == Character.class) {
                if (value instanceof BigInteger) {
                    work.charge(((BigInteger) value).bitLength() >> 6);
                }
                return scalar(value, raw, sent);
            }
            if (raw == String.class) {
                if (value instanceof String || value instanceof Character || value instanceof SurrogateText) {
                    return value.toString(); // a SurrogateText's split pairs become one char each: Java's only way
                }
                throw mismatchFor(raw, value);
            }
            if (raw == byte[].class) {
                return copiedBytes(value);
            }
            if (raw == ByteBuffer.class) {
                return ByteBuffer.wrap(copiedBytes(value));
            }
            if (raw == Optional.class) {
                return Optional.ofNullable(convert(value, typeArgument(target, 0)));
            }
            if (raw.isEnum()) {
                return enumConstant(raw, value);
            }
            if (raw.isArray()) {
                return array(value, target, raw);
            }
            if (Map.class.isAssignableFrom(raw)) {
                return map(value, target, raw);
            }
            if (Collection.class.isAssignableFrom(raw) || raw == Iterable.class) {
                return collection(value, target, raw);
            }
            if (raw.isInstance(value)) {
                return value;
            }
            if (value instanceof OffsetDateTime) { // an aware datetime as any instant type
                OffsetDateTime t = (OffsetDateTime) value;
                if (raw == Instant.class) {
                    return t.toInstant();
                }
                if (raw == ZonedDateTime.class) {
                    return t.toZonedDateTime();
                }
            }
            if (raw.isRecord()) {
                return record(value, raw);
            }
            if (value instanceof Map || value instanceof PyObject) {
                return bean(value, raw);
            }
            throw mismatchFor(raw, value);
        }

        private Object scalar(Object value, Class<?> raw, Object sent) throws ConversionException {
            Class<?> boxed = box(raw);
            if (boxed.isInstance(value)) {
                return value;
            }
            if (boxed == Boolean.class) {
                throw mismatchFor(raw, value);
            }
            if (boxed == Character.class) {
                if (value instanceof String && ((String) value).length() == 1) {
                    return ((String) value).charAt(0);
                }
                throw mismatchFor(raw, value);
            }
            if (!(value instanceof Number) || value instanceof Boolean) {
                throw mismatchFor(raw, value);
            }
            Number n = (Number) value;
            boolean small = value instanceof Integer || value instanceof Long || value instanceof Short
                    || value instanceof Byte;
            if (small && (boxed == Long.class || boxed == Integer.class || boxed == Short.class
                    || boxed == Byte.class)) {
                long v = n.longValue(); // the common case, without a BigInteger
                if (boxed == Long.class) {
                    return v;
                }
                if (boxed == Integer.class ? v == (int) v : boxed == Short.class ? v == (short) v : v == (byte) v) {
                    return boxed == Integer.class ? (Object) (int) v : boxed == Short.class ? (Object) (short) v
                            : (Object) (byte) v;
                }
                throw new ConversionException("expected " + Repr.javaName(raw) + ", got " + (javaWording ? "" : "int ")
                        + v + ", which is out of its range");
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
                    throw new ConversionException("expected BigDecimal, got " + describeFor(sent)
                            + ", which it cannot hold");
                }
                return value instanceof BigInteger ? new BigDecimal((BigInteger) value)
                        : integral ? BigDecimal.valueOf(n.longValue()) : BigDecimal.valueOf(n.doubleValue());
            }
            if (!integral) {
                String type = javaWording ? Repr.javaName(sent.getClass()) : Repr.pythonType(sent);
                throw new ConversionException("expected " + Repr.javaName(raw) + ", got " + type + " " + Repr.repr(sent)
                        + " (a " + type + " is not converted to an integer type)");
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
            if (boxed == Long.class || boxed == Integer.class || boxed == Short.class || boxed == Byte.class) {
                throw new ConversionException("expected " + Repr.javaName(raw) + ", got " + (javaWording ? "" : "int ")
                        + Repr.repr(big) + ", which is out of its range");
            }
            throw mismatchFor(raw, value);
        }

        private Object enumConstant(Class<?> raw, Object value) throws ConversionException {
            if (value instanceof String) {
                for (Object constant : raw.getEnumConstants()) {
                    if (((Enum<?>) constant).name().equals(value)) {
                        return constant;
                    }
                }
                throw new ConversionException("expected one of " + Arrays.toString(raw.getEnumConstants())
                        + " (" + Repr.javaName(raw) + "), got " + Repr.repr(value));
            }
            throw mismatchFor(raw, value);
        }

        private Object array(Object value, Type target, Class<?> raw) throws ConversionException {
            List<?> items = sequence(value, raw);
            Type component = target instanceof GenericArrayType
                    ? ((GenericArrayType) target).getGenericComponentType() : raw.getComponentType();
            Object array = Array.newInstance(raw.getComponentType(), items.size());
            for (int i = 0; i < items.size(); i++) {
                Array.set(array, i, element(items.get(i), component, i));
            }
            return array;
        }

        private Object collection(Object value, Type target, Class<?> raw) throws ConversionException {
            List<?> items = sequence(value, raw);
            Type elementType = typeArgument(target, 0);
            Collection<Object> out;
            if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
                if (SortedSet.class.isAssignableFrom(raw)) {
                    out = new TreeSet<>();
                } else if (Set.class.isAssignableFrom(raw)) {
                    out = new LinkedHashSet<>();
                } else if (raw.isAssignableFrom(ArrayList.class)) {
                    out = new ArrayList<>(items.size());
                } else {
                    throw new ConversionException("cannot create a " + Repr.javaName(raw) + "; declare List, Set or a concrete class");
                }
            } else {
                out = instantiate(raw);
            }
            for (int i = 0; i < items.size(); i++) {
                Object item = element(items.get(i), elementType, i);
                if (out instanceof Set) {
                    insert(out, items.get(i), item, null);
                } else {
                    out.add(item);
                }
            }
            return out;
        }

        private Object map(Object value, Type target, Class<?> raw) throws ConversionException {
            Map<?, ?> in;
            if (value instanceof Map) {
                in = (Map<?, ?>) value;
            } else if (value instanceof PyObject) {
                in = ((PyObject) value).state();
            } else {
                throw mismatchFor(raw, value);
            }
            Type keyType = typeArgument(target, 0);
            Type valueType = typeArgument(target, 1);
            Map<Object, Object> out;
            if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
                out = SortedMap.class.isAssignableFrom(raw) ? new TreeMap<>() : new LinkedHashMap<>();
            } else {
                out = instantiate(raw);
            }
            for (Map.Entry<?, ?> e : in.entrySet()) {
                Object key;
                try {
                    key = convert(e.getKey(), keyType);
                } catch (ConversionException x) {
                    throw new ConversionException("key " + Repr.repr(e.getKey()) + ": " + x.getMessage());
                }
                Object v;
                try {
                    v = convert(e.getValue(), valueType);
                } catch (ConversionException x) {
                    throw new ConversionException("value of key " + Repr.repr(e.getKey()) + ": " + x.getMessage());
                }
                insert(out, e.getKey(), key, v);
            }
            return out;
        }

        private Object record(Object value, Class<?> raw) throws ConversionException {
            RecordPlan plan = RECORDS.get(raw);
            Object[] args = new Object[plan.names.length];
            if (value instanceof Object[] || value instanceof List) {
                List<?> items = sequence(value, raw);
                if (items.size() != args.length) {
                    throw new ConversionException("expected " + Repr.javaName(raw) + " (" + args.length
                            + " fields), got a sequence of " + items.size());
                }
                for (int i = 0; i < args.length; i++) {
                    args[i] = field(items.get(i), plan.types[i], plan.names[i]);
                }
            } else {
                Map<?, ?> fields = fields(value, raw);
                for (int i = 0; i < args.length; i++) {
                    String name = plan.names[i];
                    if (plan.primitive[i] && !fields.containsKey(name)) {
                        throw new ConversionException("expected " + Repr.javaName(raw) + ", got a dict without key '" + name + "'");
                    }
                    args[i] = field(fields.get(name), plan.types[i], name);
                }
            }
            if (plan.constructor == null) {
                throw new ConversionException("cannot construct " + Repr.javaName(raw) + ": " + describe(plan.failure));
            }
            try {
                return plan.constructor.newInstance(args);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new ConversionException("cannot construct " + Repr.javaName(raw) + ": " + describe(e));
            }
        }

        private Object bean(Object value, Class<?> raw) throws ConversionException {
            Map<?, ?> fields = fields(value, raw);
            Object bean = instantiate(raw);
            BeanPlan plan = BEANS.get(raw);
            for (Map.Entry<?, ?> e : fields.entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw new ConversionException("expected " + Repr.javaName(raw) + ", got a dict with key " + Repr.repr(e.getKey()));
                }
                String name = (String) e.getKey();
                Method setter = plan.setter(name);
                try {
                    if (setter != null) {
                        setter.invoke(bean, field(e.getValue(), setter.getGenericParameterTypes()[0], name));
                        continue;
                    }
                    Field f = plan.field(name);
                    if (f == null) {
                        throw new ConversionException(Repr.javaName(raw) + " has no property " + Repr.repr(name));
                    }
                    f.set(bean, field(e.getValue(), f.getGenericType(), name));
                } catch (ReflectiveOperationException | RuntimeException x) {
                    throw new ConversionException("cannot set " + Repr.javaName(raw) + "." + Repr.truncate(name, 60) + ": "
                            + describe(x));
                }
            }
            return bean;
        }

        private Map<?, ?> fields(Object value, Class<?> raw) throws ConversionException {
            if (value instanceof Map) {
                return (Map<?, ?>) value;
            }
            if (value instanceof PyObject) {
                return ((PyObject) value).state();
            }
            throw mismatchFor(raw, value);
        }

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
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new ConversionException("cannot create " + Repr.javaName(raw)
                        + ": it needs an accessible no-argument constructor (" + describe(e) + ")");
            }
        }

        private Object element(Object item, Type type, int index) throws ConversionException {
            try {
                return convert(item, type);
            } catch (ConversionException e) {
                throw new ConversionException("item " + index + ": " + e.getMessage());
            }
        }

        private Object field(Object item, Type type, String name) throws ConversionException {
            try {
                return convert(item, type);
            } catch (ConversionException e) {
                throw new ConversionException("field '" + name + "': " + e.getMessage());
            }
        }

        private List<?> sequence(Object value, Class<?> target) throws ConversionException {
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
        private void insert(Object container, Object source, Object key, Object value) throws ConversionException {
            if (ValueKind.of(source).isContainer() && ValueKind.of(key).hashesItsContents()) {
                work.charge(Shape.treeSize(source, Math.max(0, work.remaining())));
            }
            try {
                if (container instanceof SortedMap || container instanceof SortedSet) {
                    int size = container instanceof Map ? ((Map<?, ?>) container).size() : ((Set<?>) container).size();
                    work.charge((1 + Keys.weight(key)) * (64 - Long.numberOfLeadingZeros(size + 1L)));
                }
                if (keys == null) {
                    keys = new Keys(work);
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
        private byte[] copiedBytes(Object value) throws ConversionException {
            if (value instanceof String) {
                work.copy(((String) value).length() >> 3);
            }
            return bytes(value);
        }

        /** Whether {@code target} is a type whose values hold nothing (a number, a string, a boolean). */
        private static boolean isScalar(Type target) {
            if (!(target instanceof Class)) {
                return false;
            }
            Class<?> c = (Class<?>) target;
            return c.isPrimitive() || c == String.class || Number.class.isAssignableFrom(c) || c == Boolean.class
                    || c == Character.class;
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

    /**
     * Why no value could ever convert to {@code type}, or null when some can:
     * checked once, where a proxy interface is analysed, so that a wrong
     * interface fails at once rather than at a call.
     */
    public static String whyNotConvertible(Type type) {
        return whyNotConvertible(type, new HashSet<>());
    }

    private static String whyNotConvertible(Type type, Set<Class<?>> seen) {
        if (type instanceof GenericArrayType) {
            return whyNotConvertible(((GenericArrayType) type).getGenericComponentType(), seen);
        }
        Class<?> raw = rawClass(type);
        if (raw.isPrimitive() || raw == Object.class || raw == String.class || raw == byte[].class
                || raw == ByteBuffer.class || raw.isEnum() || raw.isInstance("") || raw.isInstance(0)
                || raw.isInstance(0L) || raw.isInstance(0.0) || raw.isInstance(true) || raw.isInstance('c')
                || raw.isInstance(BigInteger.ONE) || raw.isInstance(BigDecimal.ONE)
                || raw.isInstance(new Object[0]) || raw.isInstance(new byte[0]) || isDecodedValueType(raw)
                || !seen.add(raw)) {
            return null;
        }
        if (raw.isArray()) {
            return whyNotConvertible(raw.getComponentType(), seen);
        }
        if (raw == Optional.class || Collection.class.isAssignableFrom(raw) || raw == Iterable.class
                || Map.class.isAssignableFrom(raw)) {
            if ((raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) && raw != Optional.class
                    && !Map.class.isAssignableFrom(raw) && raw != Iterable.class
                    && !Set.class.isAssignableFrom(raw) && !raw.isAssignableFrom(ArrayList.class)) {
                return "cannot be created; declare List, Set, Map or a concrete class";
            }
            if (!(raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) && raw != Optional.class
                    && !hasNoArgConstructor(raw)) {
                return "cannot be created: it has no constructor without arguments";
            }
            if (type instanceof ParameterizedType) {
                for (Type argument : ((ParameterizedType) type).getActualTypeArguments()) {
                    String why = whyNotConvertible(argument, seen);
                    if (why != null) {
                        return "(its " + argument.getTypeName() + " " + why + ")";
                    }
                }
            }
            return null;
        }
        if (raw.isRecord()) {
            for (RecordComponent c : raw.getRecordComponents()) {
                String why = whyNotConvertible(c.getGenericType(), seen);
                if (why != null) {
                    return "(its component " + c.getName() + " " + why + ")";
                }
            }
            return null;
        }
        if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
            return "is abstract: no value received converts to it";
        }
        if (!hasNoArgConstructor(raw)) {
            return "is neither a value type, a record, nor a bean with a constructor without arguments";
        }
        return null;
    }

    /** The classes of the values a pickle decodes to beyond the numbers and strings, and what they convert to. */
    private static final List<Class<?>> DECODED = List.of(LocalDate.class, LocalTime.class, OffsetTime.class,
            LocalDateTime.class, OffsetDateTime.class, Instant.class, ZonedDateTime.class, Duration.class,
            ZoneOffset.class, UUID.class, PyObject.class);

    /** Whether some decoded value is a {@code raw} as it is, or converts to one (an aware datetime to an Instant). */
    private static boolean isDecodedValueType(Class<?> raw) {
        for (Class<?> c : DECODED) {
            if (raw.isAssignableFrom(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasNoArgConstructor(Class<?> raw) {
        try {
            raw.getDeclaredConstructor();
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
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

    private static Type typeArgument(Type type, int index) {
        if (type instanceof ParameterizedType) {
            Type[] args = ((ParameterizedType) type).getActualTypeArguments();
            if (index < args.length) {
                return args[index];
            }
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

    /** See {@link Repr#javaName}; kept for the callers of the conversion. */
    public static String javaName(Type type) {
        return Repr.javaName(type);
    }

    /** See {@link Repr#className}. */
    public static String className(Class<?> c, boolean qualified) {
        return Repr.className(c, qualified);
    }

    /** See {@link Repr#describeValue}. */
    public static String describeValue(Object value) {
        return Repr.describeValue(value);
    }

    /** See {@link Repr#truncate}. */
    public static String truncate(String text, int max) {
        return Repr.truncate(text, max);
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

    private static String describe(Throwable e) {
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
