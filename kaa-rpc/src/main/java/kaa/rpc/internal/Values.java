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
import java.util.Collection;
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

    public static Object convert(Object value, Type target) throws ConversionException {
        Class<?> raw = rawClass(target);
        if (raw == Object.class) {
            return value;
        }
        if (value == null) {
            if (raw.isPrimitive()) {
                throw mismatch(raw, null);
            }
            return raw == Optional.class ? Optional.empty() : null;
        }
        if (raw.isPrimitive() || Number.class.isAssignableFrom(raw) || raw == Boolean.class
                || raw == Character.class) {
            return scalar(value, raw);
        }
        if (raw == String.class) {
            if (value instanceof String || value instanceof Character) {
                return value.toString();
            }
            throw mismatch(raw, value);
        }
        if (raw == byte[].class) {
            return bytes(value);
        }
        if (raw == ByteBuffer.class) {
            return ByteBuffer.wrap(bytes(value));
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
        if (raw.isRecord()) {
            return record(value, raw);
        }
        if (value instanceof Map || value instanceof PyObject) {
            return bean(value, raw);
        }
        throw mismatch(raw, value);
    }

    private static Object scalar(Object value, Class<?> raw) throws ConversionException {
        Class<?> boxed = box(raw);
        if (boxed.isInstance(value)) {
            return value;
        }
        if (boxed == Boolean.class) {
            throw mismatch(raw, value);
        }
        if (boxed == Character.class) {
            if (value instanceof String && ((String) value).length() == 1) {
                return ((String) value).charAt(0);
            }
            throw mismatch(raw, value);
        }
        if (!(value instanceof Number) || value instanceof Boolean) {
            throw mismatch(raw, value);
        }
        Number n = (Number) value;
        boolean integral = value instanceof Integer || value instanceof Long || value instanceof BigInteger
                || value instanceof Short || value instanceof Byte;
        if (boxed == Double.class) {
            return n.doubleValue();
        }
        if (boxed == Float.class) {
            return n.floatValue();
        }
        if (boxed == BigDecimal.class) {
            return value instanceof BigInteger ? new BigDecimal((BigInteger) value)
                    : integral ? BigDecimal.valueOf(n.longValue()) : BigDecimal.valueOf(n.doubleValue());
        }
        if (!integral) {
            throw new ConversionException("expected " + javaName(raw) + ", got float " + value
                    + " (a float is not converted to an integer type)");
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
            throw new ConversionException("expected " + javaName(raw) + ", got int " + big
                    + ", which is out of its range");
        }
        throw mismatch(raw, value);
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

    private static Object enumConstant(Class<?> raw, Object value) throws ConversionException {
        if (value instanceof String) {
            for (Object constant : raw.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(value)) {
                    return constant;
                }
            }
            throw new ConversionException("expected one of " + java.util.Arrays.toString(raw.getEnumConstants())
                    + " (" + javaName(raw) + "), got '" + value + "'");
        }
        throw mismatch(raw, value);
    }

    private static Object array(Object value, Type target, Class<?> raw) throws ConversionException {
        List<?> items = sequence(value, raw);
        Type component = target instanceof GenericArrayType
                ? ((GenericArrayType) target).getGenericComponentType() : raw.getComponentType();
        Object array = Array.newInstance(raw.getComponentType(), items.size());
        for (int i = 0; i < items.size(); i++) {
            Array.set(array, i, element(items.get(i), component, i));
        }
        return array;
    }

    private static Object collection(Object value, Type target, Class<?> raw) throws ConversionException {
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
            out.add(element(items.get(i), elementType, i));
        }
        return out;
    }

    private static Object map(Object value, Type target, Class<?> raw) throws ConversionException {
        Map<?, ?> in;
        if (value instanceof Map) {
            in = (Map<?, ?>) value;
        } else if (value instanceof PyObject) {
            in = ((PyObject) value).state();
        } else {
            throw mismatch(raw, value);
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
            try {
                out.put(key, convert(e.getValue(), valueType));
            } catch (ConversionException x) {
                throw new ConversionException("value of key " + repr(e.getKey()) + ": " + x.getMessage());
            }
        }
        return out;
    }

    private static Object record(Object value, Class<?> raw) throws ConversionException {
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

    private static Object bean(Object value, Class<?> raw) throws ConversionException {
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
                    throw new ConversionException(javaName(raw) + " has no property '" + name + "'");
                }
                f.set(bean, field(e.getValue(), f.getGenericType(), name));
            } catch (ReflectiveOperationException | RuntimeException x) {
                throw new ConversionException("cannot set " + javaName(raw) + "." + name + ": " + describe(x));
            }
        }
        return bean;
    }

    private static Map<?, ?> fields(Object value, Class<?> raw) throws ConversionException {
        if (value instanceof Map) {
            return (Map<?, ?>) value;
        }
        if (value instanceof PyObject) {
            return ((PyObject) value).state();
        }
        throw mismatch(raw, value);
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

    private static Object element(Object item, Type type, int index) throws ConversionException {
        try {
            return convert(item, type);
        } catch (ConversionException e) {
            throw new ConversionException("item " + index + ": " + e.getMessage());
        }
    }

    private static Object field(Object item, Type type, String name) throws ConversionException {
        try {
            return convert(item, type);
        } catch (ConversionException e) {
            throw new ConversionException("field '" + name + "': " + e.getMessage());
        }
    }

    private static List<?> sequence(Object value, Class<?> target) throws ConversionException {
        if (value instanceof List) {
            return (List<?>) value;
        }
        if (value instanceof Object[]) {
            return java.util.Arrays.asList((Object[]) value);
        }
        if (value instanceof Collection) {
            return new ArrayList<>((Collection<?>) value);
        }
        throw mismatch(target, value);
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
            return c.isArray() ? javaName(c.getComponentType()) + "[]" : c.getSimpleName();
        }
        return type.getTypeName().replaceAll("\\b[a-z][a-z0-9_]*\\.", "");
    }

    /** The Python type name of a decoded value, and a short repr of it. */
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
        if (value instanceof String) {
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
        if (value instanceof Set) {
            return "set";
        }
        if (value instanceof Map) {
            return "dict";
        }
        if (value instanceof PyObject) {
            return ((PyObject) value).qualifiedName();
        }
        return value.getClass().getSimpleName();
    }

    /** A short, bounded rendering of a value for error messages. */
    public static String repr(Object value) {
        String s;
        if (value instanceof String) {
            s = "'" + value + "'";
        } else if (value instanceof byte[]) {
            s = "b'" + new String((byte[]) value, java.nio.charset.StandardCharsets.ISO_8859_1) + "'";
        } else if (value instanceof Object[]) {
            s = java.util.Arrays.deepToString((Object[]) value);
            s = "(" + s.substring(1, s.length() - 1) + ")";
        } else {
            s = String.valueOf(value);
        }
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static String describe(Throwable e) {
        Throwable cause = e instanceof java.lang.reflect.InvocationTargetException && e.getCause() != null
                ? e.getCause() : e;
        return cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
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
