package kaa.rpc.internal;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Converts decoded pickle values (see {@link Unpickling}) to the Java types a
 * method declares: numbers are widened, or narrowed when they fit; lists and
 * tuples become arrays and collections; dicts become maps, records and
 * JavaBeans; byte strings become {@code byte[]}. Anything else is a
 * {@link ConversionException} that says what was expected and what came.
 */
public final class Values {

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
            return javaWording ? new ConversionException("expected " + javaName(expected) + ", got "
                    + describeJavaValue(value)) : mismatch(expected, value);
        }

        /** A value as the messages of this conversion name it. */
        private String describeFor(Object value) {
            return javaWording ? describeJavaValue(value) : describeValue(value);
        }

        public Object convert(Object value, Type target) throws ConversionException {
            work.charge(1);
            if (target == Object.class) {
                return value; // the common case of a plain parameter: nothing to walk or remember
            }
            if (isScalar(target) || !Shape.isContainer(value)) {
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
            if (value instanceof java.time.OffsetDateTime) { // an aware datetime as any instant type
                java.time.OffsetDateTime t = (java.time.OffsetDateTime) value;
                if (raw == java.time.Instant.class) {
                    return t.toInstant();
                }
                if (raw == java.time.ZonedDateTime.class) {
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
                throw new ConversionException("expected " + javaName(raw) + ", got " + (javaWording ? "" : "int ")
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
                String type = javaWording ? javaName(sent.getClass()) : pythonType(sent);
                throw new ConversionException("expected " + javaName(raw) + ", got " + type + " " + repr(sent)
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
                throw new ConversionException("expected " + javaName(raw) + ", got " + (javaWording ? "" : "int ")
                        + repr(big) + ", which is out of its range");
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
                throw new ConversionException("expected one of " + java.util.Arrays.toString(raw.getEnumConstants())
                        + " (" + javaName(raw) + "), got " + repr(value));
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
                    throw new ConversionException("cannot create a " + javaName(raw) + "; declare List, Set or a concrete class");
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
                    throw new ConversionException("key " + repr(e.getKey()) + ": " + x.getMessage());
                }
                Object v;
                try {
                    v = convert(e.getValue(), valueType);
                } catch (ConversionException x) {
                    throw new ConversionException("value of key " + repr(e.getKey()) + ": " + x.getMessage());
                }
                insert(out, e.getKey(), key, v);
            }
            return out;
        }

        private Object record(Object value, Class<?> raw) throws ConversionException {
            RecordComponent[] components = raw.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            Object[] args = new Object[components.length];
            if (value instanceof Object[] || value instanceof List) {
                List<?> items = sequence(value, raw);
                if (items.size() != components.length) {
                    throw new ConversionException("expected " + javaName(raw) + " (" + components.length
                            + " fields), got a sequence of " + items.size());
                }
                for (int i = 0; i < components.length; i++) {
                    types[i] = components[i].getType();
                    args[i] = field(items.get(i), components[i].getGenericType(), components[i].getName());
                }
            } else {
                Map<?, ?> fields = fields(value, raw);
                for (int i = 0; i < components.length; i++) {
                    String name = components[i].getName();
                    types[i] = components[i].getType();
                    if (!fields.containsKey(name) && types[i].isPrimitive()) {
                        throw new ConversionException("expected " + javaName(raw) + ", got a dict without key '" + name + "'");
                    }
                    args[i] = field(fields.get(name), components[i].getGenericType(), name);
                }
            }
            try {
                Constructor<?> constructor = raw.getDeclaredConstructor(types);
                constructor.setAccessible(true);
                return constructor.newInstance(args);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new ConversionException("cannot construct " + javaName(raw) + ": " + describe(e));
            }
        }

        private Object bean(Object value, Class<?> raw) throws ConversionException {
            Map<?, ?> fields = fields(value, raw);
            Object bean = instantiate(raw);
            for (Map.Entry<?, ?> e : fields.entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw new ConversionException("expected " + javaName(raw) + ", got a dict with key " + repr(e.getKey()));
                }
                String name = (String) e.getKey();
                Method setter = setter(raw, name);
                try {
                    if (setter != null) {
                        setter.invoke(bean, field(e.getValue(), setter.getGenericParameterTypes()[0], name));
                        continue;
                    }
                    Field f = publicField(raw, name);
                    if (f == null) {
                        throw new ConversionException(javaName(raw) + " has no property " + repr(name));
                    }
                    f.set(bean, field(e.getValue(), f.getGenericType(), name));
                } catch (ReflectiveOperationException | RuntimeException x) {
                    throw new ConversionException("cannot set " + javaName(raw) + "." + truncate(name, 60) + ": "
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

        private static Method setter(Class<?> raw, String name) {
            if (name.isEmpty()) {
                return null;
            }
            String setterName = "set" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
            for (Method m : raw.getMethods()) {
                if (m.getName().equals(setterName) && m.getParameterCount() == 1 && !Modifier.isStatic(m.getModifiers())) {
                    return m;
                }
            }
            return null;
        }

        private static Field publicField(Class<?> raw, String name) {
            try {
                Field f = raw.getField(name);
                int mod = f.getModifiers();
                return Modifier.isStatic(mod) || Modifier.isFinal(mod) ? null : f;
            } catch (NoSuchFieldException e) {
                return null;
            }
        }

        @SuppressWarnings("unchecked")
        private static <T> T instantiate(Class<?> raw) throws ConversionException {
            try {
                Constructor<?> c = raw.getDeclaredConstructor();
                c.setAccessible(true);
                return (T) c.newInstance();
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new ConversionException("cannot create " + javaName(raw)
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
                return java.util.Arrays.asList((Object[]) value);
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
            if (Shape.isContainer(source) && hashesItsContents(key)) {
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
            } catch (net.razorvine.pickle.PickleException e) {
                throw new ConversionException(e.getMessage());
            } catch (ClassCastException e) {
                throw new ConversionException("cannot order " + describeValue(key) + " in a sorted "
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

        /** Whether hashing {@code key} walks what it holds (a list, a record), unlike a tuple or an object. */
        private static boolean hashesItsContents(Object key) {
            return !(key instanceof Object[] || key instanceof PyObject || key instanceof FrozenSet
                    || key instanceof byte[]);
        }
    }

    /** A byte string: {@code bytes}, or a Python 2 {@code str} (one char per byte). */
    static byte[] bytes(Object value) throws ConversionException {
        if (value instanceof byte[]) {
            return (byte[]) value;
        }
        if (value instanceof String) {
            String s = (String) value;
            byte[] b = new byte[s.length()];
            for (int i = 0; i < b.length; i++) {
                char c = s.charAt(i);
                if (c > 0xff) {
                    throw new ConversionException("expected bytes, got str with character U+"
                            + String.format("%04X", (int) c) + " at index " + i
                            + " (only a Python 2 byte string converts to byte[])");
                }
                b[i] = (byte) c;
            }
            return b;
        }
        throw mismatch(byte[].class, value);
    }

    /**
     * Why no value could ever convert to {@code type}, or null when some can:
     * checked once, where a proxy interface is analysed, so that a wrong
     * interface fails at once rather than at a call.
     */
    public static String whyNotConvertible(Type type) {
        return whyNotConvertible(type, new java.util.HashSet<>());
    }

    private static String whyNotConvertible(Type type, java.util.Set<Class<?>> seen) {
        if (type instanceof GenericArrayType) {
            return whyNotConvertible(((GenericArrayType) type).getGenericComponentType(), seen);
        }
        Class<?> raw = rawClass(type);
        if (raw.isPrimitive() || raw == Object.class || raw == String.class || raw == byte[].class
                || raw == ByteBuffer.class || raw.isEnum() || raw.isInstance("") || raw.isInstance(0)
                || raw.isInstance(0L) || raw.isInstance(0.0) || raw.isInstance(true) || raw.isInstance('c')
                || raw.isInstance(BigInteger.ONE) || raw.isInstance(BigDecimal.ONE)
                || raw.isInstance(new Object[0]) || raw.isInstance(new byte[0]) || !seen.add(raw)) {
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
        return new ConversionException("expected " + javaName(expected) + ", got " + describeValue(value));
    }

    /** The Java type as a reader writes it: {@code int}, {@code String}, {@code List}, {@code byte[]}. */
    public static String javaName(Type type) {
        if (type instanceof Class) {
            Class<?> c = (Class<?>) type;
            return c.isArray() ? javaName(c.getComponentType()) + "[]" : className(c, false);
        }
        return type.getTypeName().replaceAll("\\b[a-z][a-z0-9_]*\\.", "");
    }

    /**
     * How a message names class {@code c} (qualified or simple): by its own
     * name, or, for a class whose name says nothing or must not leave this
     * process (a lambda's hidden class, whose name carries an address, an
     * anonymous class, a proxy, a class internal to this library), by the
     * interface or superclass it stands for: {@code Supplier (a lambda)}.
     */
    public static String className(Class<?> c, boolean qualified) {
        Class<?> named = c;
        while (isUnnamed(named)) {
            Class<?> standsFor = named.getSuperclass() == null ? Object.class : named.getSuperclass();
            for (Class<?> i : named.getInterfaces()) {
                if (!isUnnamed(i)) {
                    standsFor = i;
                    break;
                }
            }
            named = standsFor;
        }
        String name = qualified ? named.getName() : named.getSimpleName();
        if (c.isHidden() || c.isSynthetic()) {
            return name + " (a lambda)";
        }
        if (c.isAnonymousClass()) {
            return name + " (an anonymous class)";
        }
        return java.lang.reflect.Proxy.isProxyClass(c) ? name + " (a proxy)" : name;
    }

    private static boolean isUnnamed(Class<?> c) {
        return c.isHidden() || c.isSynthetic() || c.isAnonymousClass() || java.lang.reflect.Proxy.isProxyClass(c)
                || isInternal(c);
    }

    /** Where this library's classes come from: its internal package there is not API (its tests' is). */
    private static final java.security.CodeSource OURS = Values.class.getProtectionDomain().getCodeSource();

    private static boolean isInternal(Class<?> c) {
        return c.getPackageName().equals(Values.class.getPackageName())
                && java.util.Objects.equals(c.getProtectionDomain().getCodeSource(), OURS);
    }

    /** The Python type name of a decoded value, and a short repr of it. */
    /** A Decimal BigDecimal cannot hold, as the nearest Java number: -0 as 0, NaN and infinities as doubles. */
    private static Object specialDecimal(String text, Object otherwise) {
        String t = text.toLowerCase(java.util.Locale.ROOT);
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

    /** A value as a Java reader names it: {@code null}, {@code String "x"}, {@code Integer 5}, {@code ArrayList [1, 2]}. */
    static String describeJavaValue(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String) {
            return "String \"" + truncate((String) value, REPR_LIMIT) + "\"";
        }
        if (value instanceof PyObject) {
            return "a Python " + ((PyObject) value).qualifiedName();
        }
        if (value instanceof PyClass) {
            return "a Python class " + value;
        }
        return javaName(value.getClass()) + " " + repr(value);
    }

    public static String describeValue(Object value) {
        if (value == null) {
            return "None";
        }
        return pythonType(value) + " " + repr(value);
    }

    public static String pythonType(Object value) {
        if (value == null) {
            return "NoneType";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger
                || value instanceof Short || value instanceof Byte) {
            return "int";
        }
        if (value instanceof Double || value instanceof Float) {
            return "float";
        }
        if (value instanceof BigDecimal || value instanceof PyObject && ((PyObject) value).qualifiedName()
                .equals("decimal.Decimal")) {
            return "Decimal";
        }
        if (value instanceof String || value instanceof SurrogateText) {
            return "str";
        }
        if (value instanceof byte[]) {
            return "bytes";
        }
        if (value instanceof Object[]) {
            return "tuple";
        }
        if (value instanceof List) {
            return "list";
        }
        if (value instanceof FrozenSet) {
            return "frozenset";
        }
        if (value instanceof Set) {
            return "set";
        }
        if (value instanceof Map) {
            return "dict";
        }
        if (value instanceof PyObject) {
            return ((PyObject) value).qualifiedName();
        }
        if (value instanceof java.time.LocalDate) {
            return "date";
        }
        if (value instanceof java.time.LocalDateTime || value instanceof java.time.OffsetDateTime
                || value instanceof java.time.ZonedDateTime || value instanceof java.time.Instant) {
            return "datetime";
        }
        if (value instanceof java.time.LocalTime || value instanceof java.time.OffsetTime) {
            return "time";
        }
        if (value instanceof java.time.Duration) {
            return "timedelta";
        }
        if (value instanceof java.time.ZoneOffset) {
            return "timezone";
        }
        if (value instanceof java.util.UUID) {
            return "UUID";
        }
        if (value instanceof PyClass) {
            return "type";
        }
        return className(value.getClass(), false);
    }

    /** The longest rendering of a value in an error message. */
    static final int REPR_LIMIT = 60;

    /** A short rendering of a value for error messages, as Python's {@code repr}, cut at {@value #REPR_LIMIT} characters. */
    public static String repr(Object value) {
        return repr(value, REPR_LIMIT);
    }

    /**
     * A rendering of {@code value} as Python's {@code repr}, cut at {@code max}
     * characters (ending in {@code ...} when cut). The work is bounded by
     * {@code max}, not by the value: the walk stops as soon as the text is long
     * enough, so a value that shares its parts a billion times costs no more
     * than a short one.
     */
    public static String repr(Object value, int max) {
        StringBuilder sb = new StringBuilder(Math.min(max + 1, 256));
        render(sb, value, max + 1);
        if (sb.length() <= max) {
            return sb.toString();
        }
        return max < 4 ? sb.substring(0, max) : sb.substring(0, max - 3) + "...";
    }

    /** {@code text} itself if it has at most {@code max} characters, else its start and how much was left out. */
    public static String truncate(String text, int max) {
        return text.length() <= max ? text
                : text.substring(0, max) + "... (" + (text.length() - max) + " more characters)";
    }

    private static void render(StringBuilder sb, Object v, int limit) {
        if (sb.length() >= limit) {
            return;
        }
        if (v == null) {
            sb.append("None");
        } else if (v instanceof Boolean) {
            sb.append((Boolean) v ? "True" : "False");
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            sb.append(Double.isNaN(d) ? "nan" : Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : Double.toString(d));
        } else if (v instanceof Number || v instanceof Character || v instanceof Enum) {
            // a peer's big number is never converted whole to be cut afterwards: Numbers bounds it
            String text = v instanceof Number ? Numbers.text((Number) v, Math.max(0, limit - sb.length()))
                    : v.toString();
            sb.append(text, 0, Math.min(text.length(), limit - sb.length()));
        } else if (v instanceof String || v instanceof SurrogateText) {
            String text = v.toString();
            sb.append('\'').append(text, 0, Math.min(text.length(), Math.max(0, limit - sb.length())));
            if (sb.length() < limit) {
                sb.append('\'');
            }
        } else if (v instanceof byte[]) {
            sb.append("b'");
            for (byte b : (byte[]) v) {
                if (sb.length() >= limit) {
                    return;
                }
                if (b >= 0x20 && b < 0x7f && b != '\\' && b != '\'') {
                    sb.append((char) b);
                } else {
                    sb.append(String.format("\\x%02x", b & 0xff));
                }
            }
            sb.append('\'');
        } else if (v instanceof Object[]) {
            Object[] items = (Object[]) v;
            renderItems(sb, java.util.Arrays.asList(items), "(", items.length == 1 ? ",)" : ")", limit);
        } else if (v instanceof List) {
            renderItems(sb, (List<?>) v, "[", "]", limit);
        } else if (v instanceof Set) {
            Set<?> set = (Set<?>) v;
            String kind = v instanceof FrozenSet ? "frozenset" : "set";
            if (set.isEmpty()) {
                sb.append(kind).append("()");
            } else {
                renderItems(sb, set, v instanceof FrozenSet ? "frozenset({" : "{", v instanceof FrozenSet ? "})" : "}",
                        limit);
            }
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (sb.length() >= limit) {
                    return;
                }
                sb.append(first ? "" : ", ");
                first = false;
                render(sb, e.getKey(), limit);
                sb.append(": ");
                render(sb, e.getValue(), limit);
            }
            sb.append('}');
        } else if (v instanceof PyObject) {
            PyObject p = (PyObject) v;
            sb.append(p.qualifiedName());
            renderItems(sb, java.util.Arrays.asList(p.args()), "(", ")", limit);
        } else if (v instanceof java.util.UUID) {
            sb.append("UUID('").append(v).append("')");
        } else if (v instanceof java.time.temporal.TemporalAccessor || v instanceof java.time.Duration) {
            sb.append("datetime.").append(pythonType(v)).append("('").append(v).append("')"); // ISO-8601 inside
        } else if (v.getClass().isArray()) { // a primitive array: a list, as it is sent (never [I@1b6d3586)
            int n = java.lang.reflect.Array.getLength(v);
            List<Object> items = new ArrayList<>(Math.min(n, limit));
            for (int i = 0; i < n && i < limit; i++) {
                items.add(java.lang.reflect.Array.get(v, i));
            }
            renderItems(sb, items, "[", "]", limit);
        } else if (v instanceof PyClass || !isUnnamed(v.getClass())) {
            String text = String.valueOf(v);
            sb.append(text, 0, Math.min(text.length(), limit - sb.length()));
        } else { // a lambda's toString carries its class's address: named by what it stands for
            sb.append('<').append(className(v.getClass(), true)).append('>');
        }
    }

    private static void renderItems(StringBuilder sb, Collection<?> items, String open, String close, int limit) {
        sb.append(open);
        boolean first = true;
        for (Object item : items) {
            if (sb.length() >= limit) {
                return;
            }
            sb.append(first ? "" : ", ");
            first = false;
            render(sb, item, limit);
        }
        sb.append(close);
    }

    private static String describe(Throwable e) {
        Throwable cause = e instanceof java.lang.reflect.InvocationTargetException && e.getCause() != null
                ? e.getCause() : e;
        String type = className(cause.getClass(), false);
        return cause.getMessage() == null ? type : type + ": " + cause.getMessage();
    }

    /** Keys of a dict decoded from a Python peer, as a Java map with string keys. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> stringKeys(Map<?, ?> map) throws ConversionException {
        for (Object key : map.keySet()) {
            if (!(key instanceof String)) {
                throw new ConversionException("keyword argument names must be str, got " + describeValue(key));
            }
        }
        return (Map<String, Object>) map;
    }
}
