package kaa.rpc.internal.pickle;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import kaa.rpc.internal.value.SurrogateText;

/**
 * UTF-8 as Python's pickle writes it, with {@code surrogatepass}: a lone
 * surrogate ({@code '\ud800'}, legal in a Python str and a Java String) is
 * encoded as its own three bytes instead of becoming {@code ?} or U+FFFD;
 * other malformed bytes are refused, as Python refuses them.
 * Text without lone surrogates takes the JDK's and Netty's fast paths.
 */
final class Utf8 {

    private Utf8() {
    }

    /** Writes {@code s}; returns the number of bytes written. */
    static int write(ByteBuf out, String s) {
        if (!hasLoneSurrogate(s)) {
            return ByteBufUtil.writeUtf8(out, s);
        }
        return write(out, s, null);
    }

    /** Writes {@code s} as it came: the pairs it says were two code points as two. */
    static int write(ByteBuf out, SurrogateText s) {
        return write(out, s, s);
    }

    private static int write(ByteBuf out, CharSequence s, SurrogateText splits) {
        int start = out.writerIndex();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                    && (splits == null || !splits.splitAt(i))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out.writeByte(0xf0 | cp >> 18).writeByte(0x80 | cp >> 12 & 0x3f).writeByte(0x80 | cp >> 6 & 0x3f)
                        .writeByte(0x80 | cp & 0x3f);
            } else if (c < 0x80) {
                out.writeByte(c);
            } else if (c < 0x800) {
                out.writeByte(0xc0 | c >> 6).writeByte(0x80 | c & 0x3f);
            } else { // including a lone surrogate, as surrogatepass does
                out.writeByte(0xe0 | c >> 12).writeByte(0x80 | c >> 6 & 0x3f).writeByte(0x80 | c & 0x3f);
            }
        }
        return out.writerIndex() - start;
    }

    /**
     * Reads UTF-8 as Python's pickle does ({@code surrogatepass}): a lone
     * surrogate encoded as its own three bytes is kept as the lone char it
     * was; any other malformed byte is refused, as Python refuses the pickle.
     * A high surrogate and a low one encoded separately
     * ({@code ED A0 80 ED B0 80}, two code points in Python) are one astral
     * character in a Java String, which would go back as its four bytes
     * ({@code F0 90 80 80}), another string: such text comes as a
     * {@link SurrogateText}, which goes back as it came.
     *
     * @return a String, or a SurrogateText
     * @throws PickleFormatException naming the offending byte
     */
    static CharSequence read(byte[] b) {
        String fast = new String(b, StandardCharsets.UTF_8);
        if (fast.indexOf('\ufffd') < 0) {
            return fast; // nothing was replaced: the common case
        }
        StringBuilder sb = new StringBuilder(b.length);
        BitSet split = null;
        int i = 0;
        while (i < b.length) {
            int x = b[i] & 0xff;
            int need = x < 0x80 ? 0 : x >= 0xc2 && x < 0xe0 ? 1 : x >= 0xe0 && x < 0xf0 ? 2 : x >= 0xf0 && x < 0xf5 ? 3
                    : -1;
            if (need < 0 || i + need > b.length - 1) {
                throw invalid(b, i);
            }
            int cp = need == 0 ? x : need == 1 ? x & 0x1f : need == 2 ? x & 0x0f : x & 0x07;
            for (int k = 1; k <= need; k++) {
                int y = b[i + k] & 0xff;
                if ((y & 0xc0) != 0x80) {
                    throw invalid(b, i);
                }
                cp = cp << 6 | y & 0x3f;
            }
            int min = need == 1 ? 0x80 : need == 2 ? 0x800 : need == 3 ? 0x10000 : 0;
            if (cp < min || cp > 0x10ffff) {
                throw invalid(b, i);
            }
            // a high surrogate last in sb came from its own three bytes: a pair's high half is never last
            if (need == 2 && Character.isLowSurrogate((char) cp) && sb.length() > 0
                    && Character.isHighSurrogate(sb.charAt(sb.length() - 1))) {
                if (split == null) {
                    split = new BitSet();
                }
                split.set(sb.length() - 1);
            }
            sb.appendCodePoint(cp); // a surrogate code point (ED A0..BF xx) is kept as the lone char it was
            i += need + 1;
        }
        return split == null ? sb.toString() : new SurrogateText(sb.toString(), split);
    }

    private static PickleFormatException invalid(byte[] b, int at) {
        return new PickleFormatException("invalid UTF-8 in a string: byte 0x"
                + Integer.toHexString(b[at] & 0xff) + " at index " + at + " (Python refuses it too)");
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            }
        }
        return false;
    }
}
