package kaa.rpc.internal.pickle;

import static kaa.rpc.internal.pickle.Opcodes.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kaa.rpc.internal.value.FrozenSet;
import kaa.rpc.internal.value.GraphCheck;
import kaa.rpc.internal.value.KeyGuard;
import kaa.rpc.internal.value.Latin1;
import kaa.rpc.internal.value.Numbers;
import kaa.rpc.internal.value.PyClass;
import kaa.rpc.internal.value.PyObject;
import kaa.rpc.internal.value.Repr;
import kaa.rpc.internal.value.SurrogateText;
import kaa.rpc.internal.value.WorkBudget;
import kaa.rpc.internal.value.WorkLimitException;

/**
 * Reads kaa.rpc payloads: the unpickling machine of protocols 0 to 5 (as
 * Python's {@code Lib/pickle.py} defines it), made safe for input from the
 * network:
 * <ul>
 * <li>a class named by a pickle is never looked up or instantiated: the few
 * value types Python uses for plain data ({@code bytes} via
 * {@code _codecs.encode}, {@code bytearray}, {@code set}, {@code frozenset},
 * {@code OrderedDict}, {@code Decimal}, {@code traceback.StackSummary}) become
 * Java values, and every other class becomes an inert {@link PyObject};</li>
 * <li>a declared length is checked against the bytes actually left before
 * anything is allocated for it;</li>
 * <li>every step is charged to a {@link WorkBudget} allowance proportional to the
 * payload, and no step costs more than the bytes or items it handles (the
 * {@link ValueStack}, the {@link Memo}); dict keys and set members must be
 * hashable as in Python (no list, dict or set) and are guarded by
 * {@link KeyGuard};</li>
 * <li>sharing (by the memo or {@code DUP}) is kept: the value is a graph, and
 * {@link GraphCheck} checks it visiting each part once;</li>
 * <li>dicts keep their order, as Python's do;</li>
 * <li>what needs more than the payload refuses it: persistent ids,
 * extension codes, {@code INST}, {@code NEWOBJ_EX} and protocol 5's
 * out-of-band buffers.</li>
 * </ul>
 * Values come out as {@code null}, {@code Boolean}, {@code Integer}/{@code Long}/
 * {@code BigInteger}, {@code Double}, {@code String}, {@code byte[]},
 * {@code Object[]} (tuple), {@code ArrayList}, {@code LinkedHashMap},
 * {@code LinkedHashSet}, {@link FrozenSet} and {@link PyObject}; a str a String
 * cannot hold exactly as a {@link SurrogateText}, a class never called as a
 * {@link PyClass}. A Python 2 str ({@code STRING}, {@code BINSTRING},
 * {@code SHORT_BINSTRING}) is a String of its bytes as ISO-8859-1 chars.
 */
public final class PickleReader {

    /** Python refuses to convert integers of more digits than this from text, for the same reason. */
    private static final int MAX_DIGITS = Numbers.MAX_INT_DIGITS;

    /** The highest protocol Python writes (5, since Python 3.8). */
    private static final int HIGHEST_PROTOCOL = 5;

    /**
     * The payload, little-endian as pickle's fields are: a NIO view of the
     * frame's memory, whose reads cost a bounds check (a ByteBuf's also check
     * its reference count, per byte: a tenth of a small call's decoding).
     */
    private final ByteBuffer in;
    private final WorkBudget work;
    private final DecimalLimits decimals;
    private KeyGuard keys; // made for the first key
    private final ValueStack values;
    private final Memo memo = new Memo();
    /** The opcode being run, for messages. */
    private int opcode;
    /** Tuples known to hold nothing unhashable; made on first use. */
    private IdentityHashMap<Object, Boolean> hashableTuples;
    /** Whether a container was handed out twice (by the memo or DUP): only then can a value share or cycle. */
    private boolean sharedContainer;

    private PickleReader(ByteBuffer in, WorkBudget work, DecimalLimits decimals) {
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.work = work;
        this.decimals = decimals;
        this.values = new ValueStack(work);
    }

    private KeyGuard keys() {
        if (keys == null) {
            keys = new KeyGuard(work);
        }
        return keys;
    }

    /** Decodes one pickle from the readable bytes of {@code payload}, without consuming them. */
    public static Object load(ByteBuf payload) throws MalformedPickleException {
        return load(payload, WorkBudget.forPayload(payload.readableBytes()));
    }

    /**
     * Decodes one pickle, charging {@code work} for every step; the shape of
     * the result is checked (depth, cycles) before it is returned.
     *
     * @throws MalformedPickleException with a {@link WorkLimitException} as its
     *     cause when the payload asks for more work than its size allows
     */
    public static Object load(ByteBuf payload, WorkBudget work) throws MalformedPickleException {
        return load(payload, work, DecimalLimits.DEFAULT);
    }

    /** Decodes one pickle as {@link #load(ByteBuf, WorkBudget)} does, refusing a Decimal beyond {@code decimals}. */
    public static Object load(ByteBuf payload, WorkBudget work, DecimalLimits decimals) throws MalformedPickleException {
        return decode(payload, work, decimals).value();
    }

    /**
     * A decoded value, and whether it is a tree: no container in it was
     * handed out twice (by the memo or {@code DUP}), so none is reached
     * twice, and converting it need not remember what it converted.
     */
    public record Decoded(Object value, boolean tree) {
    }

    /** As {@link #load(ByteBuf, WorkBudget, DecimalLimits)}, saying whether the value is a tree. */
    public static Decoded decode(ByteBuf payload, WorkBudget work, DecimalLimits decimals)
            throws MalformedPickleException {
        PickleReader reader = new PickleReader(view(payload), work, decimals);
        try {
            Object value = reader.run();
            GraphCheck.check(value, reader.sharedContainer, work);
            return new Decoded(value, !reader.sharedContainer);
        } catch (RuntimeException e) {
            throw new MalformedPickleException(e);
        } catch (StackOverflowError e) {
            throw new MalformedPickleException("value nested too deeply");
        }
    }

    /** Payloads up to this size are copied to the heap to be read; larger ones are read where they are. */
    private static final int COPIED_UP_TO = 64 * 1024;

    /**
     * The payload as the reader reads it: a small one copied to the heap once
     * (reading a direct buffer's bytes a field at a time costs more than the
     * copy), a large one a view of its memory (it is mostly a few large
     * strings or byte strings, read in bulk, and a copy would cost what the
     * read does). A view is read before the payload is released: the
     * caller's, held for the whole decoding.
     */
    private static ByteBuffer view(ByteBuf payload) {
        int n = payload.readableBytes();
        if (payload.hasArray()) {
            return ByteBuffer.wrap(payload.array(), payload.arrayOffset() + payload.readerIndex(), n).slice();
        }
        if (n <= COPIED_UP_TO) {
            byte[] copy = new byte[n];
            payload.getBytes(payload.readerIndex(), copy);
            return ByteBuffer.wrap(copy);
        }
        return payload.nioBuffer(payload.readerIndex(), n);
    }

    public static Object load(byte[] payload) throws MalformedPickleException {
        return load(Unpooled.wrappedBuffer(payload));
    }

    /** Runs the opcodes up to {@code STOP}; returns what it pops (Python's {@code load_stop}). */
    private Object run() {
        while (true) {
            if (!in.hasRemaining()) {
                throw new PickleFormatException("truncated pickle: it ends before its STOP opcode");
            }
            opcode = in.get() & 0xff;
            work.charge(1);
            if (opcode == STOP) {
                return values.pop();
            }
            step(opcode);
        }
    }

    private void step(int op) {
        switch (op) {
            case MARK -> values.mark();
            case PROTO -> {
                int protocol = u8();
                if (protocol > HIGHEST_PROTOCOL) {
                    throw new PickleFormatException("unsupported pickle protocol: " + protocol);
                }
            }
            // the frames of protocol 4 only group opcodes for a buffered reader: the whole payload is here
            case FRAME -> skip(8);
            case NONE -> values.push(null);
            case NEWTRUE -> values.push(Boolean.TRUE);
            case NEWFALSE -> values.push(Boolean.FALSE);
            case BININT -> values.push(need(4).getInt()); // signed, as Python's unpack('<i')
            case BININT1 -> values.push(u8());
            case BININT2 -> values.push(need(2).getShort() & 0xffff);
            case INT, LONG -> values.push(textInteger(op));
            case LONG1 -> values.push(littleEndianInteger(u8()));
            case LONG4 -> values.push(littleEndianInteger(length(4)));
            case FLOAT -> values.push(Protocol0.parseFloat(line()));
            case BINFLOAT -> values.push(Double.longBitsToDouble(Long.reverseBytes(need(8).getLong()))); // big-endian, '>d'
            case STRING -> values.push(Protocol0.string(line()));
            case BINSTRING -> values.push(latin1(length(4)));
            case SHORT_BINSTRING -> values.push(latin1(u8()));
            case UNICODE -> values.push(Protocol0.unicode(line()));
            case BINUNICODE -> values.push(Utf8.read(bytes(length(4))));
            case SHORT_BINUNICODE -> values.push(Utf8.read(bytes(u8())));
            case BINUNICODE8 -> values.push(Utf8.read(bytes(length(8))));
            case BINBYTES -> values.push(bytes(length(4)));
            case SHORT_BINBYTES -> values.push(bytes(u8()));
            case BINBYTES8, BYTEARRAY8 -> values.push(bytes(length(8))); // a bytearray is read as bytes
            case EMPTY_TUPLE -> values.push(new Object[0]);
            case TUPLE -> values.push(values.popMarked());
            case TUPLE1 -> values.push(new Object[] {values.pop()});
            case TUPLE2 -> {
                Object b = values.pop();
                values.push(new Object[] {values.pop(), b});
            }
            case TUPLE3 -> {
                Object c = values.pop();
                Object b = values.pop();
                values.push(new Object[] {values.pop(), b, c});
            }
            case EMPTY_LIST -> values.push(new ArrayList<>(0));
            case LIST -> {
                Object[] items = values.popMarked();
                ArrayList<Object> list = new ArrayList<>(items.length);
                list.addAll(Arrays.asList(items));
                values.push(list);
            }
            case APPEND -> {
                Object item = values.pop();
                list(values.peek()).add(item);
            }
            case APPENDS -> {
                Object[] items = values.popMarked();
                list(values.peek()).addAll(Arrays.asList(items));
            }
            case EMPTY_DICT -> values.push(new LinkedHashMap<>());
            case DICT -> {
                Map<Object, Object> dict = new LinkedHashMap<>();
                putPairs(dict, values.popMarked());
                values.push(dict);
            }
            case SETITEM -> {
                Object value = values.pop();
                Object k = values.pop();
                put(dict(values.peek()), k, value);
            }
            case SETITEMS -> {
                Object[] pairs = values.popMarked();
                putPairs(dict(values.peek()), pairs);
            }
            case EMPTY_SET -> values.push(new LinkedHashSet<>());
            case ADDITEMS -> {
                Object[] items = values.popMarked();
                Object target = values.peek();
                if (!(target instanceof LinkedHashSet)) {
                    throw new PickleFormatException("ADDITEMS on a " + Repr.pythonType(target) + ", not a set");
                }
                @SuppressWarnings("unchecked")
                LinkedHashSet<Object> set = (LinkedHashSet<Object>) target;
                addAll(set, Arrays.asList(items));
            }
            case FROZENSET -> values.push(frozen(Arrays.asList(values.popMarked())));
            case POP -> values.popOrUnmark();
            case POP_MARK -> values.dropMarked();
            case DUP -> {
                Object top = values.peek();
                sharedContainer |= GraphCheck.isContainer(top);
                values.push(top);
            }
            case GET -> fromMemo(index(line()));
            case BINGET -> fromMemo(u8());
            case LONG_BINGET -> fromMemo(need(4).getInt() & 0xffffffffL);
            case PUT -> {
                long index = index(line());
                if (index < 0) {
                    throw new PickleFormatException("negative PUT argument"); // as Python's load_put
                }
                memoize(index);
            }
            case BINPUT -> memoize(u8());
            case LONG_BINPUT -> memoize(need(4).getInt() & 0xffffffffL);
            case MEMOIZE -> memoize(memo.size());
            case GLOBAL -> {
                String module = line();
                values.push(global(module, line()));
            }
            case STACK_GLOBAL -> {
                Object name = values.pop();
                Object module = values.pop();
                if (!(module instanceof String) || !(name instanceof String)) {
                    throw new PickleFormatException("STACK_GLOBAL needs two strings");
                }
                values.push(global((String) module, (String) name));
            }
            case OBJ -> {
                Object[] items = values.popMarked();
                if (items.length == 0 || !(items[0] instanceof PyClass)) {
                    throw new PickleFormatException("OBJ without a class");
                }
                values.push(((PyClass) items[0]).construct(Arrays.copyOfRange(items, 1, items.length)));
            }
            case REDUCE, NEWOBJ -> {
                Object args = values.pop();
                Object callable = values.pop();
                if (!(callable instanceof PyClass) || !(args instanceof Object[])) {
                    throw new PickleFormatException("REDUCE needs a class and a tuple, got "
                            + (callable instanceof PyClass ? "a class" : Repr.pythonType(callable))
                            + " and " + Repr.pythonType(args));
                }
                Object made = ((PyClass) callable).construct((Object[]) args);
                if (op == NEWOBJ && made instanceof PyObject) { // cls.__new__(cls, *args): no __init__
                    PyObject p = (PyObject) made;
                    made = new PyObject(p.module(), p.name(), p.args(), true);
                }
                values.push(made);
            }
            case BUILD -> {
                Object state = values.pop();
                build(state, values.peek());
            }
            case INST -> throw new PickleFormatException("INST (protocol 0 instances) is not accepted");
            case PERSID, BINPERSID, EXT1, EXT2, EXT4, NEWOBJ_EX ->
                    throw new PickleFormatException("opcode " + Opcodes.describe(op) + " is not accepted");
            case NEXT_BUFFER, READONLY_BUFFER -> throw new PickleFormatException("opcode " + Opcodes.describe(op)
                    + " is not accepted: a payload carries no out-of-band buffers");
            default -> throw new PickleFormatException("invalid pickle opcode " + Opcodes.describe(op));
        }
    }

    // ---- reading the payload

    /** The buffer, once {@code n} more bytes are known to be there. */
    private ByteBuffer need(int n) {
        if (in.remaining() < n) {
            throw new PickleFormatException("truncated pickle: " + Opcodes.name(opcode) + " needs " + n
                    + " more bytes, " + in.remaining() + " left");
        }
        return in;
    }

    private int u8() {
        return need(1).get() & 0xff;
    }

    private void skip(int n) {
        need(n).position(in.position() + n);
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        need(n).get(b);
        return b;
    }

    private String latin1(int n) {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    /**
     * A length field of {@code width} bytes (unsigned, little-endian), checked
     * against the bytes left before anything is made for it.
     */
    private int length(int width) {
        long length = width == 4 ? need(4).getInt() & 0xffffffffL : need(8).getLong();
        if (length < 0 || length > in.remaining()) {
            throw new PickleFormatException("declared length " + Long.toUnsignedString(length) + " exceeds the "
                    + in.remaining() + " bytes left in the payload");
        }
        return (int) length;
    }

    /** The argument of a protocol 0 opcode: the bytes up to a newline, as ISO-8859-1 text. */
    private String line() {
        int n = -1;
        for (int i = in.position(); i < in.limit(); i++) {
            if (in.get(i) == '\n') {
                n = i - in.position();
                break;
            }
        }
        if (n < 0) {
            throw new PickleFormatException("truncated pickle: the argument of " + Opcodes.name(opcode)
                    + " has no newline");
        }
        String s = latin1(n);
        in.get(); // the newline
        return s;
    }

    // ---- numbers

    /**
     * {@code INT} and {@code LONG}: decimal text, bounded like Python's own
     * integers from text, as parsing them is quadratic. Python 2 wrote a
     * long with a trailing {@code L} (and Python 3 still does at protocol 0),
     * and {@code INT 01}/{@code INT 00} for True and False (Python's
     * {@code load_int}).
     */
    private Object textInteger(int op) {
        String digits = line();
        if (digits.length() > MAX_DIGITS) {
            throw new PickleFormatException("integer of " + digits.length() + " digits (at most " + MAX_DIGITS + ")");
        }
        work.charge((long) digits.length() * digits.length() >> 12);
        if (op == INT && digits.endsWith("L")) { // Python's load_int refuses what follows the digits
            throw new PickleFormatException("bad integer '" + Repr.truncate(digits, 20) + "': INT takes no L");
        }
        String text = digits.endsWith("L") ? digits.substring(0, digits.length() - 1) : digits;
        if (op == INT && text.equals("01")) {
            return Boolean.TRUE;
        }
        if (op == INT && text.equals("00")) {
            return Boolean.FALSE;
        }
        String body = text.trim();
        body = body.startsWith("-") || body.startsWith("+") ? body.substring(1) : body;
        if (body.length() > 1 && body.charAt(0) == '0') {
            // Python reads INT's text in the base its prefix says (010 is 8, 0x10 is 16) and refuses LONG's: it
            // never writes either, so it is refused rather than read as another number
            throw new PickleFormatException("bad integer '" + Repr.truncate(text, 20) + "': a leading zero");
        }
        try {
            return narrow(new BigInteger(text.trim()));
        } catch (NumberFormatException e) {
            throw new PickleFormatException("bad integer '" + Repr.truncate(text, 20) + "'");
        }
    }

    /** {@code LONG1}, {@code LONG4}: {@code n} bytes of two's complement, little-endian (Python's decode_long). */
    private Number littleEndianInteger(int n) {
        need(n);
        if (n <= 8) {
            long v = 0;
            for (int i = n - 1; i >= 0; i--) {
                v = v << 8 | in.get(in.position() + i) & 0xff;
            }
            skip(n);
            if (n > 0 && n < 8) {
                v = v << 64 - 8 * n >> 64 - 8 * n; // the sign of the top byte
            }
            return v == (int) v ? (Number) (int) v : (Number) v;
        }
        byte[] big = new byte[n];
        for (int i = 0; i < n; i++) {
            big[n - 1 - i] = in.get(in.position() + i);
        }
        skip(n);
        return narrow(new BigInteger(big));
    }

    /** Integers of Python come out as the narrowest of Integer, Long and BigInteger. */
    private static Number narrow(BigInteger n) {
        if (n.bitLength() < 32) {
            return n.intValue();
        }
        return n.bitLength() < 64 ? (Number) n.longValue() : n;
    }

    /**
     * The text index of {@code GET} and {@code PUT}: a decimal integer, as
     * Python's {@code int()} reads it (blanks around, a sign).
     */
    private long index(String line) {
        String text = line.strip();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new PickleFormatException(Opcodes.name(opcode) + " needs a memo index, got "
                    + Repr.repr(Repr.truncate(line, 20)));
        }
    }

    // ---- the memo

    private void fromMemo(long index) {
        Object value = memo.get(index);
        if (value == Memo.ABSENT) {
            throw new PickleFormatException("Memo value not found at index " + index); // Python's message
        }
        sharedContainer |= GraphCheck.isContainer(value);
        values.push(value);
    }

    private void memoize(long index) {
        Object top = values.peek();
        memo.put(index, top);
        if (isUuidInTheMaking(top)) {
            if (uuidMemoKeys == null) {
                uuidMemoKeys = new IdentityHashMap<>();
            }
            uuidMemoKeys.computeIfAbsent(top, t -> new ArrayList<>(1)).add(index);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object target) {
        if (!(target instanceof Map)) {
            throw new PickleFormatException("SETITEM on a " + Repr.pythonType(target) + ", not a dict");
        }
        return (Map<Object, Object>) target;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object target) {
        if (!(target instanceof ArrayList)) {
            throw new PickleFormatException("APPEND on a " + Repr.pythonType(target) + ", not a list");
        }
        return (List<Object>) target;
    }

    private void putPairs(Map<Object, Object> dict, Object[] items) {
        if (items.length % 2 != 0) {
            throw new PickleFormatException("odd number of items for a dict");
        }
        for (int i = 0; i < items.length; i += 2) {
            put(dict, items[i], items[i + 1]);
        }
    }

    /** Every key of a decoded dict goes in here: hashable, paid for, and not one of a flood. */
    private void put(Map<Object, Object> dict, Object key, Object value) {
        checkHashable(key);
        keys().put(dict, key, value);
    }

    private void addAll(LinkedHashSet<Object> set, List<?> items) {
        work.copy(items.size());
        for (Object item : items) {
            checkHashable(item);
            keys().add(set, item);
        }
    }

    /**
     * Python's rule: a list, dict or set cannot be a key or a set member, nor
     * can a tuple that holds one, at any depth. A tuple found hashable is
     * remembered, so a shared one is looked into once.
     */
    private void checkHashable(Object key) {
        if (!(key instanceof Object[])) {
            KeyGuard.checkHashable(key);
            return;
        }
        if (hashableTuples != null && hashableTuples.containsKey(key)) {
            return;
        }
        Object[] tuple = (Object[]) key;
        work.charge(tuple.length);
        for (Object item : tuple) {
            checkHashable(item);
        }
        if (hashableTuples == null) {
            hashableTuples = new IdentityHashMap<>();
        }
        hashableTuples.put(key, Boolean.TRUE);
    }

    private FrozenSet frozen(List<?> items) {
        LinkedHashSet<Object> set = new LinkedHashSet<>();
        addAll(set, items);
        long weight = set.size();
        for (Object item : set) {
            weight += KeyGuard.weight(item);
        }
        work.charge(weight); // its hash, computed once
        return new FrozenSet(set, weight);
    }

    /** A {@code uuid.UUID} made by NEWOBJ, whose state (BUILD) is still to come. */
    private static boolean isUuidInTheMaking(Object value) {
        return value instanceof PyObject && ((PyObject) value).name().equals("UUID")
                && ((PyObject) value).module().equals("uuid");
    }

    /** Memo keys that hold a UUID in the making: BUILD replaces them with the finished UUID. */
    private IdentityHashMap<Object, List<Long>> uuidMemoKeys;

    private void build(Object state, Object target) {
        if (isUuidInTheMaking(target)) {
            merge(((PyObject) target).state(), state);
            UUID uuid = StdlibValues.uuid((PyObject) target);
            if (uuid != null) {
                values.replaceTop(uuid);
                List<Long> keys = uuidMemoKeys == null ? null : uuidMemoKeys.remove(target);
                if (keys != null) {
                    for (long k : keys) {
                        if (memo.get(k) == target) {
                            memo.put(k, uuid);
                        }
                    }
                }
            }
            return;
        }
        if (!(target instanceof PyObject)) {
            if (target instanceof StackSummary) {
                return; // StackSummary carries no state of its own; any other list has no attributes to set
            }
            throw new PickleFormatException("BUILD on a " + Repr.pythonType(target));
        }
        Map<String, Object> into = ((PyObject) target).state();
        if (state instanceof Object[] && ((Object[]) state).length == 2) {
            // (instance dict or None, slots dict or None): kept apart, so that a __slots__ class gets them back so
            Object[] pair = (Object[]) state;
            merge(into, pair[0]);
            merge(into, pair[1]);
            if (pair[1] instanceof Map) {
                for (Object k : ((Map<?, ?>) pair[1]).keySet()) {
                    ((PyObject) target).markSlot((String) k); // merge checked the names are strings
                }
            }
        } else {
            merge(into, state);
        }
    }

    @SuppressWarnings("unchecked")
    private void merge(Map<String, Object> into, Object state) {
        if (state == null) {
            return;
        }
        if (!(state instanceof Map)) {
            throw new PickleFormatException("object state must be a dict, got " + Repr.pythonType(state));
        }
        work.copy(((Map<?, ?>) state).size());
        for (Map.Entry<?, ?> e : ((Map<?, ?>) state).entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw new PickleFormatException("object attribute names must be str");
            }
            keys().put((Map<Object, Object>) (Map<?, ?>) into, e.getKey(), e.getValue());
        }
    }

    private PyClass global(String module, String name) {
        // the names' characters are checked on every use, and a peer may share long names through the memo
        work.charge((module.length() + name.length()) >> 2);
        if (!PyObject.isDottedName(module) || !PyObject.isDottedName(name)) {
            throw new PickleFormatException("a class must be named by dotted Python identifiers, got "
                    + Repr.repr(module) + " and " + Repr.repr(name));
        }
        return new PyClass(module, name, constructor(module, name)); // a value of its own if never called
    }

    /** What calling the class {@code module.name} makes. */
    private Function<Object[], Object> constructor(String module, String name) {
        switch (module + "." + name) {
            case "_codecs.encode":
                return args -> encodedBytes(args, "_codecs.encode");
            case "__builtin__.bytearray":
            case "builtins.bytearray":
            case "__builtin__.bytes":
            case "builtins.bytes":
                return args -> args.length == 0 ? new byte[0] : encodedBytes(args, name);
            case "__builtin__.set":
            case "builtins.set":
                return args -> {
                    LinkedHashSet<Object> set = new LinkedHashSet<>();
                    addAll(set, setItems(args, name));
                    return set;
                };
            case "__builtin__.frozenset":
            case "builtins.frozenset":
                return args -> frozen(setItems(args, name));
            case "collections.OrderedDict":
                return args -> {
                    Map<Object, Object> dict = new LinkedHashMap<>();
                    if (args.length == 1 && args[0] instanceof List) {
                        work.copy(((List<?>) args[0]).size());
                        for (Object pair : (List<?>) args[0]) {
                            List<?> kv = pair instanceof Object[] ? Arrays.asList((Object[]) pair)
                                    : pair instanceof List ? (List<?>) pair : null;
                            if (kv == null || kv.size() != 2) {
                                throw new PickleFormatException("OrderedDict() takes (key, value) pairs");
                            }
                            put(dict, kv.get(0), kv.get(1));
                        }
                    } else if (args.length != 0) {
                        throw new PickleFormatException("OrderedDict() takes a list of pairs");
                    }
                    return dict;
                };
            case "decimal.Decimal":
                return args -> {
                    if (args.length != 1 || !(args[0] instanceof String)) {
                        throw new PickleFormatException("Decimal() takes a string");
                    }
                    return decimal(module, name, (String) args[0]);
                };
            case "traceback.StackSummary":
                return args -> new StackSummary();
            case "datetime.date":
                return StdlibValues::date;
            case "datetime.time":
                return args -> orObject(StdlibValues.time(args), module, name, args);
            case "datetime.datetime":
                return args -> orObject(StdlibValues.dateTime(args), module, name, args);
            case "datetime.timedelta":
                return StdlibValues::timeDelta;
            case "datetime.timezone":
                return StdlibValues::timeZone;
            default:
                return args -> new PyObject(module, name, args);
        }
    }

    /** A value with a zone other than a fixed offset (pytz, zoneinfo) stays a Python object, passed on as it came. */
    private static Object orObject(Object value, String module, String name, Object[] args) {
        return value != null ? value : new PyObject(module, name, args);
    }

    /**
     * A {@code Decimal(text)}, within {@link #decimals}: checked on the text
     * before anything is parsed, as parsing {@code 1e30000000} is cheap and
     * every sum with it is not.
     */
    private Object decimal(String module, String name, String text) {
        // its characters are scanned and parsed on every use, and a peer may share one text through the memo
        work.charge(text.length());
        if (text.length() > (long) decimals.maxDigits() + 32) { // room for a sign, a point and an exponent
            throw new PickleFormatException("Decimal() of " + text.length() + " characters refused (at most "
                    + decimals.maxDigits() + " digits)");
        }
        text = text.strip();
        if (NON_FINITE_DECIMAL.matcher(text).matches()) {
            // NaN, sNaN (with a payload) and infinities have no BigDecimal: kept as they came
            return new PyObject(module, name, new Object[] {text});
        }
        Matcher m = DECIMAL.matcher(text);
        if (!m.matches() || m.group(2).isEmpty() && (m.group(3) == null || m.group(3).isEmpty())) {
            throw new PickleFormatException("Decimal() of a malformed string " + Repr.repr(text));
        }
        int fraction = m.group(3) == null ? 0 : m.group(3).length();
        int digits = m.group(2).length() + fraction;
        if (digits > decimals.maxDigits()) {
            throw new PickleFormatException("Decimal() of " + digits + " digits refused (at most "
                    + decimals.maxDigits() + ")");
        }
        String e = m.group(4) == null ? "0" : m.group(4);
        long exponent; // as Python reads it, the fraction's digits moved into it: the negated scale
        try {
            exponent = Long.parseLong(e) - fraction;
        } catch (NumberFormatException beyondLong) {
            exponent = Long.MAX_VALUE;
        }
        if (exponent > decimals.maxExponent() || exponent < -decimals.maxExponent()) {
            throw new PickleFormatException("Decimal() with " + (exponent == Long.MAX_VALUE ? "an exponent of "
                    + e.length() + " characters" : "exponent " + exponent) + " refused (at most "
                    + decimals.maxExponent() + " either way)");
        }
        // parsing is quadratic in the digits; and what the value invites (aligning it with another by a power of
        // ten) costs its digits written out in full, a unit for 16: paid here, so that many cost their payload
        work.charge(((long) digits * digits >> 12) + (Math.abs(exponent) >> 4));
        if (m.group(1).equals("-") && NEGATIVE_ZERO.matcher(text).matches()) {
            return new PyObject(module, name, new Object[] {text}); // -0 has no BigDecimal: kept as it came
        }
        return new BigDecimal(text);
    }

    /** A high surrogate and a low one, each its own escape in raw-unicode-escape text. */
    private static final Pattern ESCAPED_SURROGATES = Pattern.compile(
            "\\\\(?:u|U0000)[dD][89abAB][0-9a-fA-F]{2}\\\\(?:u|U0000)[dD][c-fC-F][0-9a-fA-F]{2}");

    /** The texts of a finite Decimal: a sign, digits with an optional point, an optional exponent. */
    private static final Pattern DECIMAL = Pattern.compile(
            "([+-]?)([0-9]*)(?:\\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?");

    /** Decimal texts BigDecimal cannot hold: NaN and sNaN (with payload) and infinities. */
    private static final Pattern NON_FINITE_DECIMAL = Pattern.compile(
            "(?i)[+-]?(s?nan[0-9]*|inf|infinity)");

    /** A zero with a minus sign (BigDecimal has no -0), its digits and exponent checked as any Decimal's. */
    private static final Pattern NEGATIVE_ZERO = Pattern.compile("-[0.]*([eE].*)?");

    private static List<?> setItems(Object[] args, String name) {
        if (args.length == 1 && args[0] instanceof List) {
            return (List<?>) args[0];
        }
        if (args.length != 0) {
            throw new PickleFormatException(name + "() takes a list");
        }
        return List.of();
    }

    /** {@code text} in {@code charset}, refused where Python's codec raises (never a '?' in its place). */
    private static byte[] encode(String text, Charset charset, String what) {
        try {
            ByteBuffer b = charset.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new PickleFormatException(what + ": the text cannot be encoded in "
                    + charset.name().toLowerCase(Locale.ROOT) + " (UnicodeEncodeError)");
        }
    }

    private byte[] encodedBytes(Object[] args, String what) {
        if (args.length == 1 && args[0] instanceof byte[]) {
            return (byte[]) args[0];
        }
        if (args.length == 1 && args[0] instanceof List) {
            List<?> ints = (List<?>) args[0];
            work.copy(ints.size());
            byte[] out = new byte[ints.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(ints.get(i) instanceof Integer)) {
                    throw new PickleFormatException(what + "() takes a list of integers");
                }
                int b = (Integer) ints.get(i);
                if (b < 0 || b > 255) { // as Python: ValueError, never another byte
                    throw new PickleFormatException(what + "(): byte must be in range(0, 256), got " + b);
                }
                out[i] = (byte) b;
            }
            return out;
        }
        if (args.length == 2 && args[0] instanceof String && args[1] instanceof String) {
            String text = (String) args[0];
            work.copy(text.length() >> 3); // a shared text is copied again for every use
            String encoding = ((String) args[1]).toLowerCase(Locale.ROOT).replace('_', '-');
            switch (encoding) {
                case "latin1":
                case "latin-1":
                case "iso-8859-1":
                case "iso8859-1":
                    try {
                        return Latin1.bytes(text);
                    } catch (IllegalArgumentException e) {
                        throw new PickleFormatException(what + ": " + e.getMessage());
                    }
                case "utf-8":
                case "utf8":
                    return encode(text, StandardCharsets.UTF_8, what);
                case "ascii":
                case "us-ascii":
                    return encode(text, StandardCharsets.US_ASCII, what);
                default:
                    throw new PickleFormatException(what + ": unsupported encoding '"
                            + Repr.truncate((String) args[1], 40) + "'");
            }
        }
        throw new PickleFormatException(what + "() with unexpected arguments");
    }

    /** A {@code traceback.StackSummary}: a list of frames, the one list a {@code BUILD} may come to (with nothing). */
    private static final class StackSummary extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;
    }
}
