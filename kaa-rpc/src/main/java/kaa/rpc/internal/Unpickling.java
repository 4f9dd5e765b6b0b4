package kaa.rpc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Reads kaa.rpc payloads with Pyrolite's unpickler, made safe for input from
 * the network:
 * <ul>
 * <li>a class named by a pickle is never looked up or instantiated: the few
 * value types Python uses for plain data ({@code bytes} via
 * {@code _codecs.encode}, {@code bytearray}, {@code set}, {@code OrderedDict},
 * {@code Decimal}, {@code traceback.StackSummary}) become Java values, and
 * every other class becomes an inert {@link PyObject};</li>
 * <li>a declared length is checked against the bytes actually left before
 * anything is allocated for it;</li>
 * <li>dicts keep their order, as Python's do.</li>
 * </ul>
 * Values come out as {@code null}, {@code Boolean}, {@code Integer}/{@code Long}/
 * {@code BigInteger}, {@code Double}, {@code String}, {@code byte[]},
 * {@code Object[]} (tuple), {@code ArrayList}, {@code LinkedHashMap},
 * {@code LinkedHashSet} and {@link PyObject}.
 */
public final class Unpickling extends Unpickler {

    /** Whether a memo reference handed out a container again: only then can a value share or cycle. */
    private boolean sharedContainer;

    private Unpickling() {
    }

    /** Values nested deeper than this are refused: whatever walks them later must not overflow its stack. */
    public static final int MAX_DEPTH = Pickling.MAX_DEPTH;
    /** Python refuses to convert integers of more digits than this from text, for the same reason. */
    private static final int MAX_DIGITS = 4300;

    /** Decodes one pickle from the readable bytes of {@code payload}, without consuming them. */
    public static Object load(ByteBuf payload) throws MalformedPickleException {
        Object value;
        Unpickling unpickler = new Unpickling();
        try (InputStream in = new ByteBufInputStream(payload.duplicate())) {
            value = unpickler.load(in);
        } catch (IOException | RuntimeException e) {
            throw new MalformedPickleException(e);
        } catch (StackOverflowError e) {
            throw new MalformedPickleException("value nested too deeply");
        }
        Shape.check(value, payload.readableBytes(), unpickler.sharedContainer);
        return value;
    }

    public static Object load(byte[] payload) throws MalformedPickleException {
        return load(io.netty.buffer.Unpooled.wrappedBuffer(payload));
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case Opcodes.GLOBAL:
                stack.add(global(PickleUtils.readline(input), PickleUtils.readline(input)));
                return NO_RETURN_VALUE;
            case Opcodes.STACK_GLOBAL: {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(module instanceof String) || !(name instanceof String)) {
                    throw new PickleException("STACK_GLOBAL needs two strings");
                }
                stack.add(global((String) module, (String) name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.INST:
                throw new PickleException("INST (protocol 0 instances) is not accepted");
            case Opcodes.OBJ: {
                List<Object> items = stack.pop_all_since_marker();
                if (items.isEmpty() || !(items.get(0) instanceof IObjectConstructor)) {
                    throw new PickleException("OBJ without a class");
                }
                stack.add(((IObjectConstructor) items.get(0)).construct(items.subList(1, items.size()).toArray()));
                return NO_RETURN_VALUE;
            }
            case Opcodes.REDUCE:
            case Opcodes.NEWOBJ: {
                Object args = stack.pop();
                Object callable = stack.pop();
                if (!(callable instanceof IObjectConstructor) || !(args instanceof Object[])) {
                    throw new PickleException("REDUCE needs a class and a tuple, got "
                            + Values.pythonType(callable) + " and " + Values.pythonType(args));
                }
                stack.add(((IObjectConstructor) callable).construct((Object[]) args));
                return NO_RETURN_VALUE;
            }
            case Opcodes.BUILD:
                build(stack.pop(), stack.peek());
                return NO_RETURN_VALUE;
            case Opcodes.EMPTY_DICT:
                stack.add(new LinkedHashMap<>());
                return NO_RETURN_VALUE;
            case Opcodes.GET:
            case Opcodes.BINGET:
            case Opcodes.LONG_BINGET: {
                Object result = super.dispatch(key);
                Object got = stack.peek();
                sharedContainer |= got instanceof Object[] || got instanceof java.util.Collection
                        || got instanceof Map || got instanceof PyObject;
                return result;
            }
            case Opcodes.DICT: {
                Map<Object, Object> dict = new LinkedHashMap<>();
                putPairs(dict, stack.pop_all_since_marker());
                stack.add(dict);
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEMS: {
                List<Object> pairs = stack.pop_all_since_marker();
                putPairs(dict(stack.peek()), pairs);
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEM: {
                Object value = stack.pop();
                Object k = stack.pop();
                dict(stack.peek()).put(k, value);
                return NO_RETURN_VALUE;
            }
            case Opcodes.EMPTY_SET:
                stack.add(new LinkedHashSet<>());
                return NO_RETURN_VALUE;
            case Opcodes.BINSTRING:
                stack.add(PickleUtils.rawStringFromBytes(counted(4)));
                return NO_RETURN_VALUE;
            case Opcodes.BINUNICODE:
                stack.add(new String(counted(4), StandardCharsets.UTF_8));
                return NO_RETURN_VALUE;
            case Opcodes.BINUNICODE8:
                stack.add(new String(counted(8), StandardCharsets.UTF_8));
                return NO_RETURN_VALUE;
            case Opcodes.BINBYTES:
                stack.add(counted(4));
                return NO_RETURN_VALUE;
            case Opcodes.BINBYTES8:
            case Opcodes.BYTEARRAY8:
                stack.add(counted(8));
                return NO_RETURN_VALUE;
            case Opcodes.LONG4:
                stack.add(narrow(PickleUtils.decode_long(counted(4))));
                return NO_RETURN_VALUE;
            case Opcodes.LONG1:
                stack.add(narrow(PickleUtils.decode_long(PickleUtils.readbytes(input, PickleUtils.readbyte(input)))));
                return NO_RETURN_VALUE;
            case Opcodes.INT:
            case Opcodes.LONG: {
                // text integers: bounded like Python's own, as parsing them is quadratic
                String digits = PickleUtils.readline(input);
                if (digits.length() > MAX_DIGITS) {
                    throw new PickleException("integer of " + digits.length() + " digits (at most " + MAX_DIGITS
                            + ")");
                }
                String text = digits.endsWith("L") ? digits.substring(0, digits.length() - 1) : digits;
                if (key == Opcodes.INT && text.equals("01")) {
                    stack.add(Boolean.TRUE);
                } else if (key == Opcodes.INT && text.equals("00")) {
                    stack.add(Boolean.FALSE);
                } else {
                    try {
                        stack.add(narrow(PickleUtils.optimizeBigint(new java.math.BigInteger(text.trim()))));
                    } catch (NumberFormatException e) {
                        throw new PickleException("bad integer '" + (text.length() > 20 ? text.substring(0, 20) + "..."
                                : text) + "'");
                    }
                }
                return NO_RETURN_VALUE;
            }
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
            throw new PickleException("SETITEM on a " + Values.pythonType(target) + ", not a dict");
        }
        return (Map<Object, Object>) target;
    }

    private static void putPairs(Map<Object, Object> dict, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw new PickleException("odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            dict.put(items.get(i), items.get(i + 1));
        }
    }

    private static void build(Object state, Object target) {
        if (!(target instanceof PyObject)) {
            if (target instanceof List) {
                return; // StackSummary carries no state of its own
            }
            throw new PickleException("BUILD on a " + Values.pythonType(target));
        }
        Map<String, Object> into = ((PyObject) target).state();
        if (state instanceof Object[] && ((Object[]) state).length == 2) {
            // (instance dict or None, slots dict or None)
            Object[] pair = (Object[]) state;
            merge(into, pair[0]);
            merge(into, pair[1]);
        } else {
            merge(into, state);
        }
    }

    private static void merge(Map<String, Object> into, Object state) {
        if (state == null) {
            return;
        }
        if (!(state instanceof Map)) {
            throw new PickleException("object state must be a dict, got " + Values.pythonType(state));
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) state).entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw new PickleException("object attribute names must be str");
            }
            into.put((String) e.getKey(), e.getValue());
        }
    }

    private static IObjectConstructor global(String module, String name) {
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
            case "__builtin__.frozenset":
            case "builtins.frozenset":
                return args -> {
                    LinkedHashSet<Object> set = new LinkedHashSet<>();
                    if (args.length == 1 && args[0] instanceof List) {
                        set.addAll((List<?>) args[0]);
                    } else if (args.length != 0) {
                        throw new PickleException(name + "() takes a list");
                    }
                    return set;
                };
            case "collections.OrderedDict":
                return args -> {
                    Map<Object, Object> dict = new LinkedHashMap<>();
                    if (args.length == 1 && args[0] instanceof List) {
                        for (Object pair : (List<?>) args[0]) {
                            List<?> kv = pair instanceof Object[] ? List.of((Object[]) pair) : (List<?>) pair;
                            dict.put(kv.get(0), kv.get(1));
                        }
                    }
                    return dict;
                };
            case "decimal.Decimal":
                return args -> {
                    if (args.length == 1 && args[0] instanceof String) {
                        return new BigDecimal((String) args[0]);
                    }
                    throw new PickleException("Decimal() takes a string");
                };
            case "traceback.StackSummary":
                return args -> new ArrayList<>();
            default:
                return args -> new PyObject(module, name, args);
        }
    }

    private static byte[] encodedBytes(Object[] args, String what) {
        if (args.length == 1 && args[0] instanceof byte[]) {
            return (byte[]) args[0];
        }
        if (args.length == 1 && args[0] instanceof List) {
            List<?> ints = (List<?>) args[0];
            byte[] out = new byte[ints.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) ((Number) ints.get(i)).intValue();
            }
            return out;
        }
        if (args.length == 2 && args[0] instanceof String && args[1] instanceof String) {
            String text = (String) args[0];
            String encoding = ((String) args[1]).toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            switch (encoding) {
                case "latin1":
                case "latin-1":
                case "iso-8859-1":
                case "iso8859-1":
                    try {
                        return Values.bytes(text);
                    } catch (ConversionException e) {
                        throw new PickleException(what + ": " + e.getMessage());
                    }
                case "utf-8":
                case "utf8":
                    return text.getBytes(StandardCharsets.UTF_8);
                case "ascii":
                case "us-ascii":
                    return text.getBytes(StandardCharsets.US_ASCII);
                default:
                    throw new PickleException(what + ": unsupported encoding '" + args[1] + "'");
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
