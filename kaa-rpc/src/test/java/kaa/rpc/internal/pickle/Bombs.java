package kaa.rpc.internal.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A generator of adversarial pickles: a value nested {@code depth} levels,
 * every level holding the level below at least twice, so that it has at
 * least 2^depth paths in a payload of a few bytes per level. Every container
 * opcode is a way to build a level, and the sharing is made on the pickle
 * stack ({@code DUP}), through the memo, or by both, level by level in turn.
 */
public final class Bombs {

    /** The container of each level. */
    public enum Container {
        TUPLE1, TUPLE2, TUPLE3, MARK_TUPLE, LIST_APPEND, LIST_APPENDS, LIST_MARK, DICT_SETITEM, DICT_SETITEMS,
        DICT_MARK, DICT_KEY, SET, FROZENSET, SET_ADDITEMS, FROZENSET_OPCODE, OBJECT_STATE, REDUCE_ARGS
    }

    /** How a level refers to the level below more than once. */
    public enum Sharing { DUP, MEMO, BOTH }

    private Bombs() {
    }

    /** The bytes that push the bomb's value (no PROTO, no STOP), to be embedded in a pickle. */
    public static byte[] value(Container c, Sharing s, int depth) {
        ByteArrayOutputStream prefixes = new ByteArrayOutputStream();
        List<byte[]> suffixes = new ArrayList<>();
        int memo = 0;
        for (int level = 0; level < depth; level++) {
            boolean dup = s == Sharing.DUP || s == Sharing.BOTH && level % 2 == 0;
            Level l = new Level();
            if (dup) {
                l.dup(c);
            } else {
                l.memo(c, memo);
                memo += 2;
            }
            prefixes.writeBytes(l.prefix.toByteArray());
            suffixes.add(l.suffix.toByteArray());
        }
        // level 0 is the outermost: its prefix first and its suffix last
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(prefixes.toByteArray());
        out.write('K');
        out.write(7);
        for (int i = suffixes.size() - 1; i >= 0; i--) {
            out.writeBytes(suffixes.get(i));
        }
        return out.toByteArray();
    }

    /** A whole CALL payload: {@code command(value)}. */
    public static byte[] call(String command, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(2);
        out.writeBytes(Level.str(command));
        out.writeBytes(value);
        out.write(0x85);
        out.write('}');
        out.write(0x87);
        out.write('.');
        return out.toByteArray();
    }

    /** A whole pickle of one value. */
    public static byte[] pickle(byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(2);
        out.writeBytes(value);
        out.write('.');
        return out.toByteArray();
    }

    /** Every container and sharing, at each of {@code depths}, as test arguments. */
    public static List<Object[]> all(int... depths) {
        List<Object[]> cases = new ArrayList<>();
        for (Container c : Container.values()) {
            for (Sharing s : Sharing.values()) {
                for (int d : depths) {
                    cases.add(new Object[] {c, s, d});
                }
            }
        }
        return cases;
    }

    /** One level: the bytes before the level below, and after it. */
    private static final class Level {
        final ByteArrayOutputStream prefix = new ByteArrayOutputStream();
        final ByteArrayOutputStream suffix = new ByteArrayOutputStream();

        /** Shared by DUP: the child, or the container around it, is duplicated on the stack. */
        void dup(Container c) {
            switch (c) {
                case TUPLE1 -> after(0x32, 0x86, 0x85);                    // ((X, X),)
                case TUPLE2 -> after(0x32, 0x86);                          // (X, X)
                case TUPLE3 -> after(0x32, 0x32, 0x87);                    // (X, X, X)
                case MARK_TUPLE -> { before('('); after(0x32, 0x32, 't'); } // (X, X, X)
                case LIST_APPEND -> { before(']', 0x32); after('a', 0x86); } // (L, L), L = [X]
                case LIST_APPENDS -> { before(']', '('); after(0x32, 'e'); } // [X, X]
                case LIST_MARK -> { before('('); after(0x32, 'l'); }       // [X, X]
                case DICT_SETITEM -> { before('}', 0x32); prefix.writeBytes(str("a")); after('s', 0x86); }
                case DICT_SETITEMS -> { before('}', 0x32, '('); prefix.writeBytes(str("a")); after('u', 0x86); }
                case DICT_MARK -> { before('('); prefix.writeBytes(str("a")); after('d', 0x32, 0x86); }
                case DICT_KEY -> { before('}'); after(0x32, 's'); }        // {X: X}
                case SET -> { global("set"); before(']'); after('a', 0x85, 'R', 0x32, 0x86); }
                case FROZENSET -> { global("frozenset"); before(']'); after('a', 0x85, 'R', 0x32, 0x86); }
                case SET_ADDITEMS -> { before(0x8f, 0x32, '('); after(0x90, 0x86); } // (S, S), S = {X}
                case FROZENSET_OPCODE -> { before('('); after(0x91, 0x32, 0x86); }
                case OBJECT_STATE -> { // (O, O), O.__dict__ = {'a': X}
                    object();
                    before(')', 'R', 0x32, '}');
                    prefix.writeBytes(str("a"));
                    after('s', 'b', 0x86);
                }
                case REDUCE_ARGS -> { object(); after(0x32, 0x86, 'R'); } // Obj(X, X)
                default -> throw new AssertionError(c);
            }
        }

        /** Shared through the memo: the child is put into memo slot {@code k} and fetched from it. */
        void memo(Container c, int k) {
            put(k);
            after('0'); // POP: only the memo holds it now
            int s = k + 1;
            switch (c) {
                case TUPLE1 -> { get(k); get(k); after(0x86, 0x85); }
                case TUPLE2 -> { get(k); get(k); after(0x86); }
                case TUPLE3 -> { get(k); get(k); get(k); after(0x87); }
                case MARK_TUPLE -> { after('('); get(k); get(k); get(k); after('t'); }
                case LIST_APPEND -> { after(']'); get(k); after('a'); get(k); after('a'); }
                case LIST_APPENDS -> { after(']', '('); get(k); get(k); after('e'); }
                case LIST_MARK -> { after('('); get(k); get(k); after('l'); }
                case DICT_SETITEM -> { after('}'); key("a"); get(k); after('s'); key("b"); get(k); after('s'); }
                case DICT_SETITEMS -> { after('}', '('); key("a"); get(k); key("b"); get(k); after('u'); }
                case DICT_MARK -> { after('('); key("a"); get(k); key("b"); get(k); after('d'); }
                case DICT_KEY -> { after('}'); get(k); get(k); after('s'); }
                case SET -> { setOf("set", k, s); }
                case FROZENSET -> { setOf("frozenset", k, s); }
                case SET_ADDITEMS -> { after(0x8f, '('); get(k); after(0x90); put(s); get(s); after(0x86); }
                case FROZENSET_OPCODE -> { after('('); get(k); after(0x91); put(s); get(s); after(0x86); }
                case OBJECT_STATE -> {
                    suffix.writeBytes("cmod\nObj\n".getBytes(StandardCharsets.ISO_8859_1));
                    after(')', 'R', '}', '(');
                    key("a");
                    get(k);
                    key("b");
                    get(k);
                    after('u', 'b');
                }
                case REDUCE_ARGS -> {
                    suffix.writeBytes("cmod\nObj\n".getBytes(StandardCharsets.ISO_8859_1));
                    get(k);
                    get(k);
                    after(0x86, 'R');
                }
                default -> throw new AssertionError(c);
            }
        }

        private void setOf(String kind, int k, int s) {
            suffix.writeBytes(("c__builtin__\n" + kind + "\n").getBytes(StandardCharsets.ISO_8859_1));
            after(']');
            get(k);
            after('a', 0x85, 'R');
            put(s);
            get(s);
            after(0x86);
        }

        private void global(String kind) {
            prefix.writeBytes(("c__builtin__\n" + kind + "\n").getBytes(StandardCharsets.ISO_8859_1));
        }

        private void object() {
            prefix.writeBytes("cmod\nObj\n".getBytes(StandardCharsets.ISO_8859_1));
        }

        private void key(String k) {
            suffix.writeBytes(str(k));
        }

        private void put(int k) {
            if (k < 256) {
                after('q', k);
            } else {
                after('r', k & 0xff, (k >> 8) & 0xff, (k >> 16) & 0xff, k >>> 24);
            }
        }

        private void get(int k) {
            if (k < 256) {
                after('h', k);
            } else {
                after('j', k & 0xff, (k >> 8) & 0xff, (k >> 16) & 0xff, k >>> 24);
            }
        }

        private void before(int... bytes) {
            for (int b : bytes) {
                prefix.write(b);
            }
        }

        private void after(int... bytes) {
            for (int b : bytes) {
                suffix.write(b);
            }
        }

        static byte[] str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write('X');
            out.write(b.length & 0xff);
            out.write((b.length >> 8) & 0xff);
            out.write((b.length >> 16) & 0xff);
            out.write(b.length >>> 24);
            out.writeBytes(b);
            return out.toByteArray();
        }
    }
}
