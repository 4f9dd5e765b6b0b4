package kaa.rpc.internal.value;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What a value is, as the writer sends it and as a decoded value arrives: the
 * one classification that the writer, the shape and key checks, the
 * conversion and the messages ask, decided once per class. Where a class is
 * two things at once (a {@code Map} that is also a {@code Collection}), the
 * first kind in the order of {@link #classify} wins.
 */
public enum ValueKind {
    NONE, STR, INT, BOOL, FLOAT, BYTES, TUPLE, DICT, SET, FROZENSET, LIST, BIG_INT, CHAR, ENUM,
    /** A {@code char[]}, sent as a str. */
    CHARS, BYTE_BUFFER, OPTIONAL, DECIMAL, PY_OBJECT,
    /** A class or function a pickle named and never called: never sent on. */
    PY_CLASS,
    /** An array of primitives other than {@code byte[]} and {@code char[]}, sent as a list. */
    PRIMITIVE_ARRAY, EXCEPTION, UUID,
    /** A {@code java.time} value (the writer says which ones go). */
    DATETIME,
    /** Anything else: a record or bean sent as a dict of its properties, if the writer accepts its class. */
    BEAN;

    private static final ClassValue<ValueKind> BY_CLASS = new ClassValue<>() {
        @Override
        protected ValueKind computeValue(Class<?> c) {
            return classify(c);
        }
    };

    public static ValueKind of(Object value) {
        if (value == null) {
            return NONE;
        }
        Class<?> c = value.getClass();
        // the commonest kinds without the cache: a ClassValue look-up costs more than these compares
        if (c == String.class) {
            return STR;
        }
        if (c == Integer.class || c == Long.class) {
            return INT;
        }
        // and the containers the unpickler makes, and a record's list of values
        if (c == ArrayList.class) {
            return LIST;
        }
        if (c == LinkedHashMap.class) {
            return DICT;
        }
        if (c == Double.class) {
            return FLOAT;
        }
        return BY_CLASS.get(c);
    }

    private static ValueKind classify(Class<?> c) {
        if (c == String.class || c == SurrogateText.class) {
            return STR;
        }
        if (c == Integer.class || c == Long.class || c == Short.class || c == Byte.class) {
            return INT;
        }
        if (c == Boolean.class) {
            return BOOL;
        }
        if (c == Double.class || c == Float.class) {
            return FLOAT;
        }
        if (c == byte[].class) {
            return BYTES;
        }
        if (Object[].class.isAssignableFrom(c)) {
            return TUPLE;
        }
        if (Map.class.isAssignableFrom(c)) {
            return DICT;
        }
        if (Set.class.isAssignableFrom(c)) {
            return FrozenSet.class.isAssignableFrom(c) ? FROZENSET : SET;
        }
        if (Collection.class.isAssignableFrom(c)) {
            return LIST;
        }
        if (BigInteger.class.isAssignableFrom(c)) {
            return BIG_INT;
        }
        if (c == Character.class) {
            return CHAR;
        }
        if (Enum.class.isAssignableFrom(c)) {
            return ENUM;
        }
        if (c == char[].class) {
            return CHARS;
        }
        if (ByteBuffer.class.isAssignableFrom(c)) {
            return BYTE_BUFFER;
        }
        if (c == Optional.class) {
            return OPTIONAL;
        }
        if (BigDecimal.class.isAssignableFrom(c)) {
            return DECIMAL;
        }
        if (c == PyObject.class) {
            return PY_OBJECT;
        }
        if (c == PyClass.class) {
            return PY_CLASS;
        }
        if (c.isArray()) {
            return PRIMITIVE_ARRAY;
        }
        if (Throwable.class.isAssignableFrom(c)) {
            return EXCEPTION;
        }
        if (c == UUID.class) {
            return UUID;
        }
        if (TemporalAccessor.class.isAssignableFrom(c) || c == Duration.class) {
            return DATETIME;
        }
        return BEAN;
    }

    /** Whether it holds other values that a walk of a decoded value visits: tuples, lists, sets, dicts, objects. */
    public boolean isContainer() {
        switch (this) {
            case TUPLE:
            case LIST:
            case SET:
            case FROZENSET:
            case DICT:
            case PY_OBJECT:
                return true;
            default:
                return false;
        }
    }

    /** Whether a value of this kind cannot be a dict key or a set member in Python (it is mutable). */
    public boolean isUnhashable() {
        return this == LIST || this == SET || this == DICT;
    }

    /** Whether hashing a key of this kind walks what it holds (a list, a record), unlike a tuple or an object. */
    public boolean hashesItsContents() {
        return !(this == TUPLE || this == PY_OBJECT || this == FROZENSET || this == BYTES);
    }

    /**
     * Whether {@code value}, of this kind, may be shared and is worth a memo
     * entry: so that a reference (two bytes) written out again never costs
     * more than seven times as much, everything but numbers that fit in a
     * long, floats, and strings under four characters.
     */
    public boolean memoizable(Object value) {
        switch (this) {
            case STR:
                return !(value instanceof String) || ((String) value).length() >= 4;
            case TUPLE:
                return ((Object[]) value).length > 0;
            case NONE:
            case INT:
            case FLOAT:
            case BOOL:
            case CHAR:
            case ENUM:
            case CHARS:
            case OPTIONAL:
                return false;
            default:
                return true;
        }
    }
}
