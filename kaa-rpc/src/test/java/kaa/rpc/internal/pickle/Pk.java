package kaa.rpc.internal.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A pickle written by hand, opcode by opcode, for tests that need exactly those bytes. */
public final class Pk {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** An empty pickle. */
    public Pk() {
    }

    /** A pickle that starts with {@code PROTO 2}. */
    public static Pk proto() {
        return new Pk().op(0x80, 2);
    }

    /** Opcodes and argument bytes. */
    public Pk op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    public Pk append(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** Text as ISO-8859-1 bytes, for the line-based opcodes. */
    public Pk text(String s) {
        return append(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Text and a newline. */
    public Pk line(String s) {
        return text(s + "\n");
    }

    /** {@code BINUNICODE}. */
    public Pk str(String s) {
        return counted('X', s.getBytes(StandardCharsets.UTF_8), 4);
    }

    /** An opcode, a little-endian length of {@code width} bytes, and the bytes. */
    public Pk counted(int opcode, byte[] data, int width) {
        op(opcode);
        for (int i = 0; i < width; i++) {
            op(i < 4 ? (data.length >>> 8 * i) & 0xff : 0);
        }
        return append(data);
    }

    /** {@code GLOBAL module name}. */
    public Pk global(String module, String name) {
        return op('c').line(module).line(name);
    }

    public Pk times(int n, Runnable r) {
        for (int i = 0; i < n; i++) {
            r.run();
        }
        return this;
    }

    public int size() {
        return out.size();
    }

    /** The bytes so far. */
    public byte[] bytes() {
        return out.toByteArray();
    }

    /** The bytes so far and {@code STOP}. */
    public byte[] end() {
        out.write('.');
        return out.toByteArray();
    }
}
