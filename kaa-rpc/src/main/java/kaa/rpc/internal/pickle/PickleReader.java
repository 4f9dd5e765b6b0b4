package kaa.rpc.internal.pickle;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
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
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.UnpickleStack;
import net.razorvine.pickle.Unpickler;

/**
 * Reads kaa.rpc payloads with Pyrolite's unpickler, made safe for input from
 * the network:
 * <ul>
 * <li>a class named by a pickle is never looked up or instantiated: the few
 * value types Python uses for plain data ({@code bytes} via
 * {@code _codecs.encode}, {@code bytearray}, {@code set}, {@code frozenset},
 * {@code OrderedDict}, {@code Decimal}, {@code traceback.StackSummary}) become
 * Java values, and every other class becomes an inert {@link PyObject};</li>
 * <li>a declared length is checked against the bytes actually left before
 * anything is allocated for it;</li>
 * <li>every step is charged to a {@link WorkBudget} allowance proportional to the
 * payload, and no step costs more than the bytes or items it handles: Pyrolite's
 * stack and its handlers of marks, lists, dicts and sets are replaced here,
 * dict keys and set members must be hashable as in Python (no list, dict or
 * set) and are guarded by {@link KeyGuard};</li>
 * <li>sharing (by the memo or {@code DUP}) is kept: the value is a graph, and
 * {@link GraphCheck} checks it visiting each part once;</li>
 * <li>dicts keep their order, as Python's do.</li>
 * </ul>
 * Values come out as {@code null}, {@code Boolean}, {@code Integer}/{@code Long}/
 * {@code BigInteger}, {@code Double}, {@code String}, {@code byte[]},
 * {@code Object[]} (tuple), {@code ArrayList}, {@code LinkedHashMap},
 * {@code LinkedHashSet}, {@link FrozenSet} and {@link PyObject}; a str a String
 * cannot hold exactly as a {@link SurrogateText}, a class never called as a
 * {@link PyClass}.
 */
public final class PickleReader extends Unpickler {

    /** Python refuses to convert integers of more digits than this from text, for the same reason. */
    private static final int MAX_DIGITS = Numbers.MAX_INT_DIGITS;

    private final WorkBudget work;
    private final DecimalLimits decimals;
    private KeyGuard keys; // made for the first key
    private final Stack values = new Stack();
    /** Tuples known to hold nothing unhashable; made on first use. */
    private IdentityHashMap<Object, Boolean> hashableTuples;
    /** Whether a container was handed out twice (by the memo or DUP): only then can a value share or cycle. */
    private boolean sharedContainer;

    private PickleReader(WorkBudget work, DecimalLimits decimals) {
        this.work = work;
        this.decimals = decimals;
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
        PickleReader unpickler = new PickleReader(work, decimals);
        try (InputStream in = new ByteBufInputStream(payload.duplicate())) {
            Object value = unpickler.load(in);
            GraphCheck.check(value, unpickler.sharedContainer, work);
            return value;
        } catch (IOException | RuntimeException e) {
            throw new MalformedPickleException(e);
        } catch (StackOverflowError e) {
            throw new MalformedPickleException("value nested too deeply");
        }
    }

    public static Object load(byte[] payload) throws MalformedPickleException {
        return load(Unpooled.wrappedBuffer(payload));
    }

    @Override
    public Object load(InputStream in) throws IOException {
        stack = values;
        input = in;
        while (true) {
            short key = PickleUtils.readbyte(input);
            if (key == -1) {
                throw new IOException("premature end of file");
            }
            work.charge(1);
            Object value = dispatch(key);
            if (value != NO_RETURN_VALUE) {
                return value;
            }
        }
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case Opcodes.GLOBAL:
                values.add(global(PickleUtils.readline(input), PickleUtils.readline(input)));
                return NO_RETURN_VALUE;
            case Opcodes.STACK_GLOBAL: {
                Object name = values.pop();
                Object module = values.pop();
                if (!(module instanceof String) || !(name instanceof String)) {
                    throw new PickleException("STACK_GLOBAL needs two strings");
                }
                values.add(global((String) module, (String) name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.INST:
                throw new PickleException("INST (protocol 0 instances) is not accepted");
            case Opcodes.OBJ: {
                List<Object> items = values.pop_all_since_marker();
                if (items.isEmpty() || !(items.get(0) instanceof PyClass)) {
                    throw new PickleException("OBJ without a class");
                }
                values.add(((PyClass) items.get(0)).construct(items.subList(1, items.size()).toArray()));
                return NO_RETURN_VALUE;
            }
            case Opcodes.REDUCE:
            case Opcodes.NEWOBJ: {
                Object args = values.pop();
                Object callable = values.pop();
                if (!(callable instanceof PyClass) || !(args instanceof Object[])) {
                    throw new PickleException("REDUCE needs a class and a tuple, got "
                            + (callable instanceof PyClass ? "a class" : Repr.pythonType(callable))
                            + " and " + Repr.pythonType(args));
                }
                Object made = ((PyClass) callable).construct((Object[]) args);
                if (key == Opcodes.NEWOBJ && made instanceof PyObject) { // cls.__new__(cls, *args): no __init__
                    PyObject p = (PyObject) made;
                    made = new PyObject(p.module(), p.name(), p.args(), true);
                }
                values.add(made);
                return NO_RETURN_VALUE;
            }
            case Opcodes.BUILD:
                build(values.pop(), values.peek());
                return NO_RETURN_VALUE;
            case Opcodes.DUP: {
                Object top = values.peek();
                sharedContainer |= GraphCheck.isContainer(top);
                values.add(top);
                return NO_RETURN_VALUE;
            }
            case Opcodes.POP:
                values.popOrUnmark();
                return NO_RETURN_VALUE;
            case Opcodes.POP_MARK:
                values.pop_all_since_marker();
                return NO_RETURN_VALUE;
            case Opcodes.GET:
            case Opcodes.BINGET:
            case Opcodes.LONG_BINGET: {
                Object result = super.dispatch(key);
                sharedContainer |= GraphCheck.isContainer(values.peek());
                return result;
            }
            case Opcodes.APPEND: {
                Object item = values.pop();
                list(values.peek()).add(item);
                return NO_RETURN_VALUE;
            }
            case Opcodes.APPENDS: {
                List<Object> items = values.pop_all_since_marker();
                list(values.peek()).addAll(items);
                return NO_RETURN_VALUE;
            }
            case Opcodes.EMPTY_DICT:
                values.add(new LinkedHashMap<>());
                return NO_RETURN_VALUE;
            case Opcodes.DICT: {
                Map<Object, Object> dict = new LinkedHashMap<>();
                putPairs(dict, values.pop_all_since_marker());
                values.add(dict);
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEMS: {
                List<Object> pairs = values.pop_all_since_marker();
                putPairs(dict(values.peek()), pairs);
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEM: {
                Object value = values.pop();
                Object k = values.pop();
                put(dict(values.peek()), k, value);
                return NO_RETURN_VALUE;
            }
            case Opcodes.EMPTY_SET:
                values.add(new LinkedHashSet<>());
                return NO_RETURN_VALUE;
            case Opcodes.ADDITEMS: {
                List<Object> items = values.pop_all_since_marker();
                Object target = values.peek();
                if (!(target instanceof LinkedHashSet)) {
                    throw new PickleException("ADDITEMS on a " + Repr.pythonType(target) + ", not a set");
                }
                @SuppressWarnings("unchecked")
                LinkedHashSet<Object> set = (LinkedHashSet<Object>) target;
                addAll(set, items);
                return NO_RETURN_VALUE;
            }
            case Opcodes.FROZENSET:
                values.add(frozen(values.pop_all_since_marker()));
                return NO_RETURN_VALUE;
            case Opcodes.BINSTRING:
                values.add(PickleUtils.rawStringFromBytes(counted(4)));
                return NO_RETURN_VALUE;
            case Opcodes.BINUNICODE:
                values.add(Utf8.read(counted(4)));
                return NO_RETURN_VALUE;
            case Opcodes.BINUNICODE8:
                values.add(Utf8.read(counted(8)));
                return NO_RETURN_VALUE;
            case Opcodes.SHORT_BINUNICODE: {
                short length = PickleUtils.readbyte(input);
                if (length < 0) {
                    throw new IOException("premature end of file");
                }
                values.add(Utf8.read(PickleUtils.readbytes(input, length)));
                return NO_RETURN_VALUE;
            }
            case Opcodes.UNICODE: {
                String escaped = PickleUtils.readline(input);
                if (ESCAPED_SURROGATES.matcher(escaped).find()) { // see Utf8.read: one char in a Java String
                    throw new PickleException("a lone high surrogate followed by a lone low one in protocol 0 text "
                            + "is one character in Java, not two: refused (protocol 2 text keeps them two)");
                }
                values.add(PickleUtils.decode_unicode_escaped(escaped));
                return NO_RETURN_VALUE;
            }
            case Opcodes.BINBYTES:
                values.add(counted(4));
                return NO_RETURN_VALUE;
            case Opcodes.BINBYTES8:
            case Opcodes.BYTEARRAY8:
                values.add(counted(8));
                return NO_RETURN_VALUE;
            case Opcodes.LONG4:
                values.add(narrow(PickleUtils.decode_long(counted(4))));
                return NO_RETURN_VALUE;
            case Opcodes.LONG1:
                values.add(narrow(PickleUtils.decode_long(PickleUtils.readbytes(input, PickleUtils.readbyte(input)))));
                return NO_RETURN_VALUE;
            case Opcodes.INT:
            case Opcodes.LONG: {
                // text integers: bounded like Python's own, as parsing them is quadratic
                String digits = PickleUtils.readline(input);
                if (digits.length() > MAX_DIGITS) {
                    throw new PickleException("integer of " + digits.length() + " digits (at most " + MAX_DIGITS
                            + ")");
                }
                work.charge((long) digits.length() * digits.length() >> 12);
                String text = digits.endsWith("L") ? digits.substring(0, digits.length() - 1) : digits;
                if (key == Opcodes.INT && text.equals("01")) {
                    values.add(Boolean.TRUE);
                } else if (key == Opcodes.INT && text.equals("00")) {
                    values.add(Boolean.FALSE);
                } else {
                    try {
                        values.add(narrow(PickleUtils.optimizeBigint(new BigInteger(text.trim()))));
                    } catch (NumberFormatException e) {
                        throw new PickleException("bad integer '" + Repr.truncate(text, 20) + "'");
                    }
                }
                return NO_RETURN_VALUE;
            }
            case Opcodes.PUT:
            case Opcodes.BINPUT:
            case Opcodes.LONG_BINPUT:
            case Opcodes.MEMOIZE:
                if (isUuidInTheMaking(values.peek())) {
                    memoize(key);
                    return NO_RETURN_VALUE;
                }
                return super.dispatch(key);
            case Opcodes.PERSID:
            case Opcodes.BINPERSID:
            case Opcodes.EXT1:
            case Opcodes.EXT2:
            case Opcodes.EXT4:
            case Opcodes.NEXT_BUFFER:
            case Opcodes.READONLY_BUFFER:
            case Opcodes.NEWOBJ_EX:
                throw new PickleException("opcode 0x" + Integer.toHexString(key) + " is not accepted");
            default:
                return super.dispatch(key);
        }
    }

    /**
     * The unpickler's stack, with Python's semantics and no step that costs
     * more than the items it moves (Pyrolite's own trims its list after every
     * {@code POP_MARK}, which a peer can make quadratic). A mark is an index
     * into the list, and items below the top mark are out of reach, as in
     * Python's metastack.
     */
    private static final int[] NO_MARKS = new int[0];

    private final class Stack extends UnpickleStack {
        private static final long serialVersionUID = 1L;
        private final ArrayList<Object> items = new ArrayList<>();
        private int[] marks = NO_MARKS;
        private int markCount;

        private int floor() {
            return markCount == 0 ? 0 : marks[markCount - 1];
        }

        @Override
        public void add(Object o) {
            items.add(o);
        }

        @Override
        public void add_mark() {
            if (markCount == marks.length) {
                marks = Arrays.copyOf(marks, Math.max(8, markCount * 2));
            }
            marks[markCount++] = items.size();
        }

        @Override
        public Object pop() {
            if (items.size() <= floor()) {
                throw new PickleException("unpickling stack underflow");
            }
            return items.remove(items.size() - 1);
        }

        /** {@code POP}: the top item, or the top mark when nothing is above it. */
        void popOrUnmark() {
            if (items.size() == floor() && markCount > 0) {
                markCount--;
            } else {
                pop();
            }
        }

        @Override
        public List<Object> pop_all_since_marker() {
            if (markCount == 0) {
                throw new PickleException("no MARK on the stack");
            }
            int from = marks[--markCount];
            List<Object> top = items.subList(from, items.size());
            work.charge(top.size());
            List<Object> out = new ArrayList<>(top);
            top.clear();
            return out;
        }

        @Override
        public Object peek() {
            if (items.size() <= floor()) {
                throw new PickleException("unpickling stack underflow");
            }
            return items.get(items.size() - 1);
        }

        @Override
        public void clear() {
            items.clear();
            markCount = 0;
        }
    }

    /** Reads a length field of {@code width} bytes and that many bytes, if they are there. */
    private byte[] counted(int width) throws IOException {
        byte[] field = PickleUtils.readbytes(input, width);
        long length = width == 4 ? PickleUtils.bytes_to_uint(field, 0) : PickleUtils.bytes_to_long(field, 0);
        if (length < 0 || length > input.available()) {
            throw new PickleException("declared length " + Long.toUnsignedString(length) + " exceeds the "
                    + input.available() + " bytes left in the payload");
        }
        return PickleUtils.readbytes(input, (int) length);
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object target) {
        if (!(target instanceof Map)) {
            throw new PickleException("SETITEM on a " + Repr.pythonType(target) + ", not a dict");
        }
        return (Map<Object, Object>) target;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object target) {
        if (!(target instanceof ArrayList)) {
            throw new PickleException("APPEND on a " + Repr.pythonType(target) + ", not a list");
        }
        return (List<Object>) target;
    }

    private void putPairs(Map<Object, Object> dict, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw new PickleException("odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            put(dict, items.get(i), items.get(i + 1));
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
    private IdentityHashMap<Object, List<Integer>> uuidMemoKeys;

    private void memoize(short opcode) throws IOException {
        int key;
        switch (opcode) {
            case Opcodes.PUT:
                try {
                    key = Integer.parseInt(PickleUtils.readline(input));
                } catch (NumberFormatException e) {
                    throw new PickleException("PUT needs a number");
                }
                break;
            case Opcodes.BINPUT:
                key = PickleUtils.readbyte(input);
                break;
            case Opcodes.LONG_BINPUT:
                key = PickleUtils.bytes_to_integer(PickleUtils.readbytes(input, 4));
                break;
            default: // MEMOIZE
                key = memo.size();
        }
        Object top = values.peek();
        memo.put(key, top);
        if (uuidMemoKeys == null) {
            uuidMemoKeys = new IdentityHashMap<>();
        }
        uuidMemoKeys.computeIfAbsent(top, t -> new ArrayList<>(1)).add(key);
    }

    private void build(Object state, Object target) {
        if (isUuidInTheMaking(target)) {
            merge(((PyObject) target).state(), state);
            UUID uuid = StdlibValues.uuid((PyObject) target);
            if (uuid != null) {
                values.pop();
                values.add(uuid);
                List<Integer> keys = uuidMemoKeys == null ? null : uuidMemoKeys.remove(target);
                if (keys != null) {
                    for (int k : keys) {
                        if (memo.get(k) == target) {
                            memo.put(k, uuid);
                        }
                    }
                }
            }
            return;
        }
        if (!(target instanceof PyObject)) {
            if (target instanceof List) {
                return; // StackSummary carries no state of its own
            }
            throw new PickleException("BUILD on a " + Repr.pythonType(target));
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
            throw new PickleException("object state must be a dict, got " + Repr.pythonType(state));
        }
        work.copy(((Map<?, ?>) state).size());
        for (Map.Entry<?, ?> e : ((Map<?, ?>) state).entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw new PickleException("object attribute names must be str");
            }
            keys().put((Map<Object, Object>) (Map<?, ?>) into, e.getKey(), e.getValue());
        }
    }

    private PyClass global(String module, String name) {
        if (!PyObject.isDottedName(module) || !PyObject.isDottedName(name)) {
            throw new PickleException("a class must be named by dotted Python identifiers, got "
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
                                    : (List<?>) pair;
                            if (kv.size() != 2) {
                                throw new PickleException("OrderedDict() takes (key, value) pairs");
                            }
                            put(dict, kv.get(0), kv.get(1));
                        }
                    } else if (args.length != 0) {
                        throw new PickleException("OrderedDict() takes a list of pairs");
                    }
                    return dict;
                };
            case "decimal.Decimal":
                return args -> {
                    if (args.length != 1 || !(args[0] instanceof String)) {
                        throw new PickleException("Decimal() takes a string");
                    }
                    return decimal(module, name, (String) args[0]);
                };
            case "traceback.StackSummary":
                return args -> new ArrayList<>();
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
        if (text.length() > (long) decimals.maxDigits() + 32) { // room for a sign, a point and an exponent
            throw new PickleException("Decimal() of " + text.length() + " characters refused (at most "
                    + decimals.maxDigits() + " digits)");
        }
        text = text.strip();
        if (NON_FINITE_DECIMAL.matcher(text).matches()) {
            // NaN, sNaN (with a payload) and infinities have no BigDecimal: kept as they came
            return new PyObject(module, name, new Object[] {text});
        }
        Matcher m = DECIMAL.matcher(text);
        if (!m.matches() || m.group(2).isEmpty() && (m.group(3) == null || m.group(3).isEmpty())) {
            throw new PickleException("Decimal() of a malformed string " + Repr.repr(text));
        }
        int fraction = m.group(3) == null ? 0 : m.group(3).length();
        int digits = m.group(2).length() + fraction;
        if (digits > decimals.maxDigits()) {
            throw new PickleException("Decimal() of " + digits + " digits refused (at most " + decimals.maxDigits()
                    + ")");
        }
        String e = m.group(4) == null ? "0" : m.group(4);
        long exponent; // as Python reads it, the fraction's digits moved into it: the negated scale
        try {
            exponent = Long.parseLong(e) - fraction;
        } catch (NumberFormatException beyondLong) {
            exponent = Long.MAX_VALUE;
        }
        if (exponent > decimals.maxExponent() || exponent < -decimals.maxExponent()) {
            throw new PickleException("Decimal() with " + (exponent == Long.MAX_VALUE ? "an exponent of "
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
            throw new PickleException(name + "() takes a list");
        }
        return List.of();
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
                    throw new PickleException(what + "() takes a list of integers");
                }
                out[i] = (byte) (int) (Integer) ints.get(i);
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
                        throw new PickleException(what + ": " + e.getMessage());
                    }
                case "utf-8":
                case "utf8":
                    return text.getBytes(StandardCharsets.UTF_8);
                case "ascii":
                case "us-ascii":
                    return text.getBytes(StandardCharsets.US_ASCII);
                default:
                    throw new PickleException(what + ": unsupported encoding '" + Repr.truncate((String) args[1], 40)
                            + "'");
            }
        }
        throw new PickleException(what + "() with unexpected arguments");
    }

    /** Integers of Python come out as the narrowest of Integer, Long and BigInteger. */
    private static Number narrow(Number n) {
        if (n instanceof Long && (Long) n == (int) (long) (Long) n) {
            return (int) (long) (Long) n;
        }
        return n;
    }
}
