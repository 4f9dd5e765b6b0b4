package kaa.rpc.internal.pickle;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import kaa.rpc.internal.value.Limits;
import kaa.rpc.internal.value.PyObject;
import kaa.rpc.internal.value.Repr;
import kaa.rpc.internal.value.SurrogateText;
import kaa.rpc.internal.value.ValueKind;

/**
 * Writes Java values as protocol-2 pickles that Python 2 and Python 3 both
 * load, straight into a Netty buffer. A container (or a long string, byte
 * string or integer) that the value holds more than once is written once
 * and referred to by the pickle memo afterwards, as Python's pickler does: a
 * value that shares its parts, such as the echo of a shared value a peer
 * sent, costs its distinct parts, not its paths, and the peer gets the same
 * sharing back.
 *
 * <p>{@code byte[]} goes as {@code _codecs.encode(text, 'latin1')} (Python
 * 3's own form, which both lines read), records and beans as plain dicts, and
 * exceptions as instances of the builtin exception types.
 *
 * <p>Mapping: {@code null} None; {@code Boolean} bool; integral numbers and
 * {@code BigInteger} int; {@code Float}/{@code Double} float; {@code BigDecimal}
 * {@code decimal.Decimal}; {@code String}, {@code Character}, {@code char[]} and
 * enums str; {@code byte[]}/{@code ByteBuffer} bytes; {@code Object[]} tuple;
 * other arrays, {@code List} and other collections list; {@code Set} set;
 * {@code Map} dict; {@code Optional} its value or None; records and beans a dict
 * of their properties; {@link PyObject} the Python object it describes.
 */
public final class PickleWriter {

    private static final byte PROTO = (byte) 0x80;
    private static final byte STOP = '.';
    private static final byte NONE = 'N';
    private static final byte NEWTRUE = (byte) 0x88;
    private static final byte NEWFALSE = (byte) 0x89;
    private static final byte BININT = 'J';
    private static final byte BININT1 = 'K';
    private static final byte BININT2 = 'M';
    private static final byte LONG1 = (byte) 0x8a;
    private static final byte LONG4 = (byte) 0x8b;
    private static final byte BINFLOAT = 'G';
    private static final byte BINUNICODE = 'X';
    private static final byte GLOBAL = 'c';
    private static final byte REDUCE = 'R';
    private static final byte BUILD = 'b';
    private static final byte NEWOBJ = (byte) 0x81;
    private static final byte SETITEM = 's';
    private static final byte MARK = '(';
    private static final byte EMPTY_TUPLE = ')';
    private static final byte TUPLE = 't';
    private static final byte TUPLE1 = (byte) 0x85;
    private static final byte TUPLE2 = (byte) 0x86;
    private static final byte TUPLE3 = (byte) 0x87;
    private static final byte EMPTY_LIST = ']';
    private static final byte APPENDS = 'e';
    private static final byte EMPTY_DICT = '}';
    private static final byte SETITEMS = 'u';

    /** The properties sent as a dict: a record's components, or a bean's getters and public fields. */
    private static final ClassValue<Map<String, Member>> BEAN_PROPERTIES = new ClassValue<>() {
        @Override
        protected Map<String, Member> computeValue(Class<?> type) {
            return beanProperties(type);
        }
    };
    /** Why objects of a class cannot go as a dict of their properties, or "" when they can: asked once per class. */
    private static final ClassValue<String> REFUSALS = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            String why = refusal(type);
            return why == null ? "" : why;
        }
    };

    private static final byte BINBYTES = 'B';

    private static final byte BINPUT = 'q';
    private static final byte LONG_BINPUT = 'r';
    private static final byte BINGET = 'h';
    private static final byte LONG_BINGET = 'j';
    /** Strings at least this long are memoized. */
    private static final int MEMO_FROM = 4;

    /** For a peer that is this library: byte strings as raw {@code BINBYTES}, a copy instead of a re-encoding. */
    private final boolean rawBytes;
    private final SendPolicy pythonObjects;
    /** The first value written that may be written again (memo index 0), and the others' indices, from the second on. */
    private Object first;
    private IdentityIndex memo;
    /** The memo index of each class or function (and writer's constant) written so far. */
    private Map<String, Integer> globals;
    private int nextMemo;

    private PickleWriter(boolean rawBytes, SendPolicy pythonObjects) {
        this.rawBytes = rawBytes;
        this.pythonObjects = pythonObjects;
    }

    /**
     * A guess at the pickled size of {@code value}, from a shallow look: enough
     * to allocate a large payload's buffer once instead of doubling it from
     * 256 bytes (which copies it again and again).
     */
    public static int sizeHint(Object value, boolean javaPeer) {
        long hint = 64;
        if (value instanceof Object[]) {
            for (Object item : (Object[]) value) {
                hint += shallowSize(item, javaPeer);
            }
        } else {
            hint += shallowSize(value, javaPeer);
        }
        return (int) Math.min(hint, 1 << 30);
    }

    private static long shallowSize(Object v, boolean javaPeer) {
        if (v instanceof byte[]) {
            // BINBYTES to a Java peer; the portable form may take two bytes per byte
            return ((byte[]) v).length * (javaPeer ? 1L : 2L) + 32;
        }
        if (v instanceof String) {
            return ((String) v).length() * 3L + 8;
        }
        if (v instanceof Collection) {
            return ((Collection<?>) v).size() * 16L;
        }
        if (v instanceof Map) {
            return ((Map<?, ?>) v).size() * 32L;
        }
        return 16;
    }

    /** Appends a complete pickle of {@code value} to {@code out}, readable by any peer. */
    public static void write(ByteBuf out, Object value) {
        write(out, value, false);
    }

    /** Appends a complete pickle of {@code value}; {@code javaPeer} allows the shortcuts only we read. */
    public static void write(ByteBuf out, Object value, boolean javaPeer) {
        write(out, value, javaPeer, SendPolicy.DEFAULT);
    }

    /** Appends a complete pickle of {@code value}, sending the Python objects {@code pythonObjects} allows. */
    public static void write(ByteBuf out, Object value, boolean javaPeer, SendPolicy pythonObjects) {
        PickleWriter p = new PickleWriter(javaPeer, pythonObjects);
        out.writeByte(PROTO).writeByte(2);
        try {
            p.save(out, value, 0);
        } catch (IllegalArgumentException e) {
            throw located(e, whereUnsendable(value, "result", pythonObjects));
        }
        out.writeByte(STOP);
    }

    /** The failure with the place of the part that caused it in front, when known. */
    private static IllegalArgumentException located(IllegalArgumentException e, String where) {
        return where == null ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }

    /** Appends the pickle of a CALL payload: {@code (command, args, kwargs)}. */
    public static void writeCall(ByteBuf out, String command, Object[] args, Map<String, ?> kwargs) {
        writeCall(out, command, args, kwargs, false);
    }

    public static void writeCall(ByteBuf out, String command, Object[] args, Map<String, ?> kwargs,
            boolean javaPeer) {
        writeCall(out, command, args, kwargs, javaPeer, SendPolicy.DEFAULT);
    }

    public static void writeCall(ByteBuf out, String command, Object[] args, Map<String, ?> kwargs,
            boolean javaPeer, SendPolicy pythonObjects) {
        writeCall(out, command, args, kwargs, null, javaPeer, pythonObjects);
    }

    /**
     * The payload of a CALL, {@code (command, args, kwargs)}; or, with
     * {@code headers} (not null), of a CALH, {@code (command, args, kwargs,
     * headers)}, for a Java peer only. Returns where the headers begin in
     * {@code out} (for {@link #writeWithoutHeaders}), or -1 without headers.
     */
    public static int writeCall(ByteBuf out, String command, Object[] args, Map<String, ?> kwargs,
            Map<String, String> headers, boolean javaPeer, SendPolicy pythonObjects) {
        PickleWriter p = new PickleWriter(javaPeer, pythonObjects);
        out.writeByte(PROTO).writeByte(2);
        if (headers != null) {
            out.writeByte(MARK);
        }
        saveString(out, command);
        try {
            p.saveTuple(out, args, 0);
            p.saveMap(out, kwargs, 0);
        } catch (IllegalArgumentException e) {
            String where = whereUnsendable(args, "args", pythonObjects);
            throw located(e, where != null ? where : whereUnsendable(kwargs, "kwargs", pythonObjects));
        }
        int headersAt = -1;
        if (headers != null) {
            headersAt = out.writerIndex();
            saveHeaders(out, headers);
            out.writeByte(TUPLE);
        } else {
            out.writeByte(TUPLE3);
        }
        out.writeByte(STOP);
        return headersAt;
    }

    /** A call's headers: a dict of strings, written without the memo, so that it may follow any pickle's. */
    private static void saveHeaders(ByteBuf out, Map<String, String> headers) {
        out.writeByte(EMPTY_DICT);
        if (!headers.isEmpty()) {
            out.writeByte(MARK);
            headers.forEach((name, value) -> {
                saveString(out, name);
                saveString(out, value);
            });
            out.writeByte(SETITEMS);
        }
    }

    /**
     * Writes the payload of a CALH to {@code out}: the CALL payload
     * {@code call[start, end)} that this class wrote, with {@code headers}
     * too (no memo index is reused: the headers use none). Writes nothing
     * and returns false if that is not such a payload.
     */
    public static boolean writeWithHeaders(ByteBuf out, ByteBuf call, int start, int end,
            Map<String, String> headers) {
        if (end - start < 4 || call.getByte(start) != PROTO || call.getByte(end - 2) != TUPLE3
                || call.getByte(end - 1) != STOP) {
            return false;
        }
        out.writeByte(PROTO).writeByte(call.getByte(start + 1)).writeByte(MARK);
        out.writeBytes(call, start + 2, end - 2 - (start + 2));
        saveHeaders(out, headers);
        out.writeByte(TUPLE).writeByte(STOP);
        return true;
    }

    /**
     * Writes to {@code out} the payload of a CALL: the CALH payload
     * {@code calh[start, headersAt)...} that {@link #writeCall} wrote, without
     * the headers that begin at {@code headersAt}. Writes nothing and returns
     * false if that is not such a payload.
     */
    public static boolean writeWithoutHeaders(ByteBuf out, ByteBuf calh, int start, int headersAt) {
        if (headersAt - start < 4 || calh.getByte(start) != PROTO || calh.getByte(start + 2) != MARK) {
            return false;
        }
        out.writeByte(PROTO).writeByte(calh.getByte(start + 1));
        out.writeBytes(calh, start + 3, headersAt - (start + 3));
        out.writeByte(TUPLE3).writeByte(STOP);
        return true;
    }

    private void save(ByteBuf out, Object value, int depth) {
        if (depth > Limits.MAX_DEPTH) {
            throw new IllegalArgumentException("value nested deeper than " + Limits.MAX_DEPTH + " levels (is it a cycle?)");
        }
        ValueKind kind = ValueKind.of(value);
        if (kind == ValueKind.NONE) {
            out.writeByte(NONE);
        } else if (depth > 0 && kind.memoizable(value)) { // a root, or an argument itself, is written once
            int index = memoIndex(value);
            if (index >= 0) {
                get(out, index);
            } else {
                saveOnce(out, value, kind, depth);
                put(out, value);
            }
        } else {
            saveOnce(out, value, kind, depth);
        }
    }

    /** The memo index of {@code value} if it was written, else -1. */
    private int memoIndex(Object value) {
        if (value == first) {
            return 0;
        }
        return memo == null ? -1 : memo.get(value);
    }

    private void put(ByteBuf out, Object value) {
        if (nextMemo == 0 && first == null) {
            first = value; // one value needs no map: most answers and calls hold no more
        } else {
            if (memo == null) {
                memo = new IdentityIndex();
            }
            memo.put(value, nextMemo);
        }
        put(out, nextMemo++);
    }

    private static void put(ByteBuf out, int index) {
        if (index < 256) {
            out.writeByte(BINPUT).writeByte(index);
        } else {
            out.writeByte(LONG_BINPUT).writeIntLE(index);
        }
    }

    private static void get(ByteBuf out, int index) {
        if (index < 256) {
            out.writeByte(BINGET).writeByte(index);
        } else {
            out.writeByte(LONG_BINGET).writeIntLE(index);
        }
    }

    private void saveOnce(ByteBuf out, Object value, ValueKind kind, int depth) {
        switch (kind) {
            case STR:
                saveString(out, (CharSequence) value);
                break;
            case INT:
                saveLong(out, ((Number) value).longValue());
                break;
            case BOOL:
                out.writeByte((Boolean) value ? NEWTRUE : NEWFALSE);
                break;
            case FLOAT:
                out.writeByte(BINFLOAT).writeDouble(((Number) value).doubleValue());
                break;
            case BYTES:
                saveBytes(out, (byte[]) value);
                break;
            case TUPLE:
                saveTuple(out, (Object[]) value, depth + 1);
                break;
            case DICT:
                saveMap(out, (Map<?, ?>) value, depth + 1);
                break;
            case SET:
            case FROZENSET:
                saveGlobal(out, "__builtin__", kind == ValueKind.FROZENSET ? "frozenset" : "set");
                saveList(out, (Set<?>) value, depth + 1);
                out.writeByte(TUPLE1).writeByte(REDUCE);
                break;
            case LIST:
                saveList(out, (Collection<?>) value, depth + 1);
                break;
            case BIG_INT:
                saveBigInteger(out, (BigInteger) value);
                break;
            case CHAR:
                saveString(out, value.toString());
                break;
            case ENUM:
                saveString(out, ((Enum<?>) value).name());
                break;
            case CHARS:
                saveString(out, new String((char[]) value));
                break;
            case BYTE_BUFFER:
                ByteBuffer b = ((ByteBuffer) value).duplicate();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                saveBytes(out, bytes);
                break;
            case OPTIONAL:
                save(out, ((Optional<?>) value).orElse(null), depth + 1);
                break;
            case DECIMAL:
                saveGlobal(out, "decimal", "Decimal");
                saveString(out, ((BigDecimal) value).toString());
                out.writeByte(TUPLE1).writeByte(REDUCE);
                break;
            case PY_OBJECT:
                savePyObject(out, (PyObject) value, depth + 1);
                break;
            case PY_CLASS:
                throw new IllegalArgumentException(pyClassRefusal(value));
            case PRIMITIVE_ARRAY:
                savePrimitiveArray(out, value);
                break;
            case EXCEPTION:
                savePyObject(out, RemoteErrors.toPython((Throwable) value), depth + 1);
                break;
            case UUID:
                saveUuid(out, (UUID) value);
                break;
            case DATETIME:
                Object[] call = StdlibValues.reduce(value); // {name, args}: datetime.<name>(*args)
                Object[] args = (Object[]) call[1];
                saveGlobal(out, "datetime", (String) call[0]);
                for (Object a : args) {
                    save(out, a, depth + 1);
                }
                out.writeByte(args.length == 1 ? TUPLE1 : args.length == 2 ? TUPLE2 : TUPLE3).writeByte(REDUCE);
                break;
            default:
                saveBean(out, value, depth + 1);
        }
    }

    private static String pyClassRefusal(Object value) {
        return "cannot send " + value + ": a reference to a Python class or function a peer sent is not sent on";
    }

    /** As Python pickles a UUID: {@code UUID.__new__(UUID)}, then its state {@code {'int': n}}. */
    private void saveUuid(ByteBuf out, UUID u) {
        saveGlobal(out, "uuid", "UUID");
        out.writeByte(EMPTY_TUPLE).writeByte(NEWOBJ).writeByte(EMPTY_DICT);
        saveConstant(out, "int");
        BigInteger n = new BigInteger(1, ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits()).array());
        saveBigInteger(out, n);
        out.writeByte(SETITEM).writeByte(BUILD);
    }

    /** A String, or a SurrogateText as it came. */
    private static void saveString(ByteBuf out, CharSequence s) {
        out.writeByte(BINUNICODE);
        int lengthIndex = out.writerIndex();
        out.writeIntLE(0);
        int written = s instanceof SurrogateText ? Utf8.write(out, (SurrogateText) s) : Utf8.write(out, (String) s);
        out.setIntLE(lengthIndex, written);
    }

    private static void saveLong(ByteBuf out, long v) {
        if (v >= 0 && v <= 0xff) {
            out.writeByte(BININT1).writeByte((int) v);
        } else if (v >= 0 && v <= 0xffff) {
            out.writeByte(BININT2).writeShortLE((int) v);
        } else if (v == (int) v) {
            out.writeByte(BININT).writeIntLE((int) v);
        } else {
            saveBigInteger(out, BigInteger.valueOf(v));
        }
    }

    private static void saveBigInteger(ByteBuf out, BigInteger v) {
        if (v.bitLength() < 32) {
            saveLong(out, v.intValue());
            return;
        }
        byte[] bigEndian = v.toByteArray(); // minimal two's complement, as pickle wants (reversed)
        if (bigEndian.length < 256) {
            out.writeByte(LONG1).writeByte(bigEndian.length);
        } else {
            out.writeByte(LONG4).writeIntLE(bigEndian.length);
        }
        for (int i = bigEndian.length - 1; i >= 0; i--) {
            out.writeByte(bigEndian[i]);
        }
    }

    /**
     * {@code _codecs.encode('<latin-1 text>', 'latin1')}, bytes that Python 2
     * and 3 both read; or, to a Java peer, {@code BINBYTES}.
     */
    private void saveBytes(ByteBuf out, byte[] bytes) {
        if (rawBytes) {
            out.writeByte(BINBYTES).writeIntLE(bytes.length).writeBytes(bytes);
            return;
        }
        saveGlobal(out, "_codecs", "encode");
        out.writeByte(BINUNICODE);
        int lengthIndex = out.writerIndex();
        out.writeIntLE(0);
        int start = out.writerIndex();
        for (byte b : bytes) {
            if (b >= 0) {
                out.writeByte(b);
            } else { // U+0080..U+00FF in UTF-8
                int c = b & 0xff;
                out.writeByte(0xc0 | c >> 6).writeByte(0x80 | (c & 0x3f));
            }
        }
        out.setIntLE(lengthIndex, out.writerIndex() - start);
        saveConstant(out, "latin1");
        out.writeByte(TUPLE2).writeByte(REDUCE);
    }

    /** A class or function, written once and then taken from the memo, as Python's pickler does. */
    private void saveGlobal(ByteBuf out, String module, String name) {
        String key = module + "\n" + name;
        if (!fromMemo(out, key)) {
            writeGlobal(out, module, name);
            remember(out, key);
        }
    }

    /** A string the writer itself uses again and again, written once and then taken from the memo. */
    private void saveConstant(ByteBuf out, String text) {
        String key = "\0" + text; // no class is named so
        if (!fromMemo(out, key)) {
            saveString(out, text);
            remember(out, key);
        }
    }

    /** Writes a reference to what {@code key} names if it was written before; returns whether it was. */
    private boolean fromMemo(ByteBuf out, String key) {
        Integer index = globals == null ? null : globals.get(key);
        if (index == null) {
            return false;
        }
        get(out, index);
        return true;
    }

    /** Puts what was just written into the memo, under {@code key}. */
    private void remember(ByteBuf out, String key) {
        if (globals == null) {
            globals = new HashMap<>();
        }
        globals.put(key, nextMemo);
        put(out, nextMemo++);
    }

    private static void writeGlobal(ByteBuf out, String module, String name) {
        out.writeByte(GLOBAL);
        out.writeCharSequence(module, StandardCharsets.US_ASCII);
        out.writeByte('\n');
        out.writeCharSequence(name, StandardCharsets.US_ASCII);
        out.writeByte('\n');
    }

    private void saveTuple(ByteBuf out, Object[] items, int depth) {
        switch (items.length) {
            case 0:
                out.writeByte(EMPTY_TUPLE);
                return;
            case 1:
                save(out, items[0], depth);
                out.writeByte(TUPLE1);
                return;
            case 2:
                save(out, items[0], depth);
                save(out, items[1], depth);
                out.writeByte(TUPLE2);
                return;
            case 3:
                save(out, items[0], depth);
                save(out, items[1], depth);
                save(out, items[2], depth);
                out.writeByte(TUPLE3);
                return;
            default:
                out.writeByte(MARK);
                for (Object item : items) {
                    save(out, item, depth);
                }
                out.writeByte(TUPLE);
        }
    }

    private void saveList(ByteBuf out, Collection<?> items, int depth) {
        out.writeByte(EMPTY_LIST);
        if (!items.isEmpty()) {
            out.writeByte(MARK);
            for (Object item : items) {
                save(out, item, depth);
            }
            out.writeByte(APPENDS);
        }
    }

    private void saveMap(ByteBuf out, Map<?, ?> map, int depth) {
        out.writeByte(EMPTY_DICT);
        if (!map.isEmpty()) {
            out.writeByte(MARK);
            for (Map.Entry<?, ?> e : map.entrySet()) {
                save(out, e.getKey(), depth);
                save(out, e.getValue(), depth);
            }
            out.writeByte(SETITEMS);
        }
    }

    private void savePrimitiveArray(ByteBuf out, Object array) {
        int n = Array.getLength(array);
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(Array.get(array, i));
        }
        saveList(out, items, 0);
    }

    private void savePyObject(ByteBuf out, PyObject o, int depth) {
        if (!PyObject.isDottedName(o.module()) || !PyObject.isDottedName(o.name())) {
            // GLOBAL is two lines of text: anything else in a name would be read as opcodes (the library's
            // own classes are constants, and need no check)
            throw new IllegalArgumentException("cannot send a class named " + Repr.repr(o.module()) + " "
                    + Repr.repr(o.name()) + ": not dotted Python identifiers");
        }
        if (!pythonObjects.allows(o.module(), o.name())) {
            throw new IllegalArgumentException("cannot send a Python " + o.qualifiedName() + " object: objects of "
                    + "classes this library does not map are not sent on, as unpickling one calls its class "
                    + "(a channel may allow some with sendPythonObjects)");
        }
        saveGlobal(out, o.module(), o.name());
        saveTuple(out, o.args(), depth);
        out.writeByte(o.madeByNew() ? NEWOBJ : REDUCE); // as it was made: __init__ runs only if it ran before
        if (o.hasSlots()) { // back as Python gave it: (instance dict or None, slot values)
            Map<String, Object>[] parts = o.splitState();
            if (parts[0].isEmpty()) {
                out.writeByte(NONE);
            } else {
                saveMap(out, parts[0], depth);
            }
            saveMap(out, parts[1], depth);
            out.writeByte(TUPLE2).writeByte(BUILD);
        } else if (!o.state().isEmpty()) {
            saveMap(out, o.state(), depth);
            out.writeByte(BUILD);
        }
    }

    private void saveBean(ByteBuf out, Object bean, int depth) {
        String refusal = REFUSALS.get(bean.getClass());
        if (!refusal.isEmpty()) {
            throw new IllegalArgumentException(refusal);
        }
        Map<String, Member> properties = BEAN_PROPERTIES.get(bean.getClass());
        if (properties.isEmpty()) { // a record without components
            out.writeByte(EMPTY_DICT);
            return;
        }
        out.writeByte(EMPTY_DICT).writeByte(MARK);
        for (Map.Entry<String, Member> p : properties.entrySet()) {
            save(out, p.getKey(), depth); // the class's own name strings: from the memo after the first object
            save(out, read(p.getValue(), bean), depth);
        }
        out.writeByte(SETITEMS);
    }

    /**
     * Why an object that is none of the value types cannot go as a dict of its
     * properties, or null when it can: a class of the JDK (a {@code Thread}, a
     * {@code Path}, a stream) is no value a Python peer could use, and a class
     * without getters or public fields would go as an empty dict.
     */
    private static String refusal(Class<?> c) {
        String name = Repr.className(c, true); // never a lambda's address or a class of ours
        for (Class<?> k = c; k != null && k != Object.class && k != Record.class; k = k.getSuperclass()) {
            if (isJdkClass(k)) {
                return "cannot send " + (k == c ? name : name + " (a " + Repr.className(k, true) + ")")
                        + ": it is not a value type (send what it holds instead)";
            }
        }
        if (!c.isRecord() && BEAN_PROPERTIES.get(c).isEmpty()) {
            return "cannot send " + name + ": it is not a value type, a collection, a record or a bean with"
                    + " getters or public fields";
        }
        return null;
    }

    private static boolean isJdkClass(Class<?> k) {
        String n = k.getName();
        return n.startsWith("java.") || n.startsWith("javax.") || n.startsWith("jdk.") || n.startsWith("sun.")
                || n.startsWith("com.sun.");
    }

    /**
     * Where inside {@code root} the first part that cannot be sent lies, as
     * {@code args[0].owner} or {@code result['k'][2]}, or null: looked for
     * only once writing failed, so that writing itself keeps no path. It
     * walks the value by the kinds {@link #saveOnce} writes, so that every
     * part the writer refuses is found.
     */
    static String whereUnsendable(Object root, String rootName, SendPolicy pythonObjects) {
        return new Locator(pythonObjects).find(root, rootName, 0);
    }

    /** One search for an unsendable part: each container once. */
    private static final class Locator {
        private final SendPolicy pythonObjects;
        private final Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());

        Locator(SendPolicy pythonObjects) {
            this.pythonObjects = pythonObjects;
        }

        String find(Object v, String path, int depth) {
            ValueKind kind = ValueKind.of(v);
            if (depth > Limits.MAX_DEPTH) {
                return null;
            }
            switch (kind) {
                case PY_CLASS:
                    return path;
                case DATETIME:
                    try {
                        StdlibValues.reduce(v);
                        return null;
                    } catch (IllegalArgumentException e) {
                        return path;
                    }
                case TUPLE:
                    return seen.add(v) ? items(Arrays.asList((Object[]) v), path, depth) : null;
                case LIST:
                case SET:
                case FROZENSET:
                    return seen.add(v) ? items((Collection<?>) v, path, depth) : null;
                case DICT:
                    return seen.add(v) ? entries((Map<?, ?>) v, path, depth) : null;
                case OPTIONAL:
                    return find(((Optional<?>) v).orElse(null), path, depth + 1);
                case PY_OBJECT:
                    return seen.add(v) ? pyObject((PyObject) v, path, depth) : null;
                case BEAN:
                    return seen.add(v) ? bean(v, path, depth) : null;
                default:
                    return null; // written as it is
            }
        }

        private String items(Collection<?> items, String path, int depth) {
            int i = 0;
            for (Object item : items) {
                String found = find(item, path + "[" + i++ + "]", depth + 1);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }

        private String entries(Map<?, ?> map, String path, int depth) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = path + "[" + Repr.repr(e.getKey(), 40) + "]";
                String found = find(e.getKey(), key, depth + 1);
                if (found == null) {
                    found = find(e.getValue(), key, depth + 1);
                }
                if (found != null) {
                    return found;
                }
            }
            return null;
        }

        private String pyObject(PyObject o, String path, int depth) {
            if (!PyObject.isDottedName(o.module()) || !PyObject.isDottedName(o.name())
                    || !pythonObjects.allows(o.module(), o.name())) {
                return path;
            }
            String found = items(Arrays.asList(o.args()), path + ".args", depth);
            return found != null ? found : entries(o.state(), path + ".__dict__", depth);
        }

        private String bean(Object v, String path, int depth) {
            if (!REFUSALS.get(v.getClass()).isEmpty()) {
                return path;
            }
            for (Map.Entry<String, Member> p : BEAN_PROPERTIES.get(v.getClass()).entrySet()) {
                Object part;
                try {
                    part = read(p.getValue(), v);
                } catch (IllegalArgumentException e) {
                    return path + "." + p.getKey();
                }
                String found = find(part, path + "." + p.getKey(), depth + 1);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
    }

    private static Object read(Member accessor, Object target) {
        try {
            if (accessor instanceof Field) {
                return ((Field) accessor).get(target);
            }
            return ((Method) accessor).invoke(target); // made accessible once, with the class's properties
        } catch (IllegalAccessException | InaccessibleObjectException e) {
            String pkg = target.getClass().getPackageName();
            throw new IllegalArgumentException("cannot read " + Repr.className(target.getClass(), false) + "."
                    + accessor.getName() + ": its package is not open to module kaa.rpc; add 'opens " + pkg
                    + " to kaa.rpc;' to your module-info.java", e);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read " + Repr.className(target.getClass(), false) + "."
                    + accessor.getName() + ": " + Repr.className(e.getClass(), true) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Why values of a declared result type could not be sent, for a record
     * (there, or in a type argument, an array or a component) whose
     * components this module may not read, as its package is neither
     * exported nor open to kaa.rpc; else null. Asked at register, so that a
     * service whose every answer would fail says so there, not to its callers.
     */
    public static String whyUnreadable(Type type) {
        return whyUnreadable(type, new HashSet<>());
    }

    private static String whyUnreadable(Type t, Set<Class<?>> seen) {
        if (t instanceof ParameterizedType) {
            for (Type argument : ((ParameterizedType) t).getActualTypeArguments()) {
                String why = whyUnreadable(argument, seen);
                if (why != null) {
                    return why;
                }
            }
            return whyUnreadable(((ParameterizedType) t).getRawType(), seen);
        }
        if (t instanceof GenericArrayType) {
            return whyUnreadable(((GenericArrayType) t).getGenericComponentType(), seen);
        }
        if (!(t instanceof Class)) {
            return null; // a wildcard or a type variable: what it stands for is seen when sent
        }
        Class<?> c = (Class<?>) t;
        if (c.isArray()) {
            return whyUnreadable(c.getComponentType(), seen);
        }
        if (!c.isRecord() || !seen.add(c)) {
            return null;
        }
        for (RecordComponent component : c.getRecordComponents()) {
            if (!component.getAccessor().trySetAccessible()) { // as read() does when it sends one
                String pkg = c.getPackageName();
                return "holds " + Repr.className(c, false) + ", whose package " + pkg + " is not open to module "
                        + "kaa.rpc; add 'opens " + pkg + " to kaa.rpc;' to your module-info.java";
            }
            String why = whyUnreadable(component.getGenericType(), seen);
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    private static Map<String, Member> beanProperties(Class<?> type) {
        if (type.isRecord()) {
            Map<String, Member> components = new LinkedHashMap<>();
            for (RecordComponent c : type.getRecordComponents()) {
                Method accessor = c.getAccessor();
                accessor.trySetAccessible(); // where the package is not open, reading it says so
                components.put(c.getName(), accessor);
            }
            return components;
        }
        Map<String, Member> properties = new TreeMap<>();
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers())
                    || m.getDeclaringClass() == Object.class || m.getReturnType() == void.class) {
                continue;
            }
            String n = m.getName();
            boolean get = n.startsWith("get") && n.length() > 3;
            boolean is = n.startsWith("is") && n.length() > 2 && m.getReturnType() == boolean.class;
            if (get || is) {
                m.trySetAccessible();
                properties.put(propertyName(m), m);
            }
        }
        for (Field f : type.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                properties.putIfAbsent(f.getName(), f);
            }
        }
        return properties;
    }

    private static String propertyName(Method getter) {
        String n = getter.getName();
        String bare = n.startsWith("is") ? n.substring(2) : n.substring(3);
        return Character.toLowerCase(bare.charAt(0)) + bare.substring(1);
    }
}
