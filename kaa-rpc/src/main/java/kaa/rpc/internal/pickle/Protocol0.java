package kaa.rpc.internal.pickle;

import kaa.rpc.internal.value.Repr;

/**
 * The text arguments of protocol 0's {@code STRING}, {@code UNICODE} and
 * {@code FLOAT}, read as Python reads them. Each line comes as ISO-8859-1
 * text, a char for a byte.
 */
final class Protocol0 {

    private Protocol0() {
    }

    /**
     * {@code STRING}: a quoted Python 2 str, its escapes undone as
     * {@code codecs.escape_decode} does (Python's {@code load_string}); the
     * bytes come out as ISO-8859-1 chars, as {@code BINSTRING}'s do.
     */
    static String string(String line) {
        int n = line.length();
        if (n < 2 || line.charAt(0) != line.charAt(n - 1) || line.charAt(0) != '"' && line.charAt(0) != '\'') {
            throw new PickleFormatException("the STRING opcode argument must be quoted");
        }
        if (line.indexOf('\\') < 0) {
            return line.substring(1, n - 1);
        }
        StringBuilder sb = new StringBuilder(n);
        int end = n - 1;
        int i = 1;
        while (i < end) {
            char c = line.charAt(i++);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i == end) {
                throw new PickleFormatException("STRING ends in a lone backslash");
            }
            char e = line.charAt(i++);
            switch (e) {
                case '\\', '\'', '"' -> sb.append(e);
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'v' -> sb.append('\u000b');
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int value = e - '0';
                    for (int k = 0; k < 2 && i < end && line.charAt(i) >= '0' && line.charAt(i) <= '7'; k++) {
                        value = value << 3 | line.charAt(i++) - '0';
                    }
                    sb.append((char) (value & 0xff)); // \777 is a byte, as in Python
                }
                case 'x' -> {
                    int hi = i + 1 < end ? Character.digit(line.charAt(i), 16) : -1;
                    int lo = i + 1 < end ? Character.digit(line.charAt(i + 1), 16) : -1;
                    if (hi < 0 || lo < 0 || line.charAt(i) > 0x7f || line.charAt(i + 1) > 0x7f) {
                        throw new PickleFormatException("invalid \\x escape in STRING "
                                + Repr.repr(Repr.truncate(line, 40)));
                    }
                    sb.append((char) (hi << 4 | lo));
                    i += 2;
                }
                default -> sb.append('\\').append(e); // an unknown escape stays as it is, as in Python
            }
        }
        return sb.toString();
    }

    /**
     * {@code UNICODE}: raw-unicode-escape text, as Python's decoder reads it
     * ({@code PyUnicode_DecodeRawUnicodeEscape}): only {@code \}{@code uXXXX}
     * and {@code \}{@code UXXXXXXXX} are escapes, and only after an odd run
     * of backslashes; every other char is its own code point.
     * <p>
     * A high surrogate and a low one, each its own escape, are two code
     * points in Python and one character in a Java String, which would go
     * back as another str: refused (see {@link Utf8#read}, which keeps them
     * apart for protocol 2 text).
     */
    static String unicode(String line) {
        int n = line.length();
        if (line.indexOf('\\') < 0) {
            return line;
        }
        StringBuilder sb = new StringBuilder(n);
        int i = 0;
        while (i < n) {
            char c = line.charAt(i);
            if (c != '\\') {
                sb.append(c);
                i++;
                continue;
            }
            int run = i;
            while (i < n && line.charAt(i) == '\\') {
                i++;
            }
            sb.append(line, run, i);
            if ((i - run) % 2 == 0 || i == n || line.charAt(i) != 'u' && line.charAt(i) != 'U') {
                continue;
            }
            sb.setLength(sb.length() - 1); // the backslash that starts the escape
            int digits = line.charAt(i) == 'u' ? 4 : 8;
            long cp = 0;
            for (int k = i + 1; k <= i + digits; k++) {
                int d = k < n && line.charAt(k) <= 0x7f ? Character.digit(line.charAt(k), 16) : -1;
                if (d < 0) {
                    throw new PickleFormatException("truncated \\" + line.charAt(i) + " escape in UNICODE");
                }
                cp = cp << 4 | d;
            }
            if (cp > Character.MAX_CODE_POINT) {
                throw new PickleFormatException("\\U escape out of range in UNICODE: 0x" + Long.toHexString(cp));
            }
            if (cp <= 0xffff && Character.isLowSurrogate((char) cp) && sb.length() > 0
                    && Character.isHighSurrogate(sb.charAt(sb.length() - 1))) {
                // the high one before it can only be an escape too: no ISO-8859-1 char is a surrogate
                throw new PickleFormatException("a lone high surrogate followed by a lone low one in protocol 0 text "
                        + "is one character in Java, not two: refused (protocol 2 text keeps them two)");
            }
            sb.appendCodePoint((int) cp);
            i += 1 + digits;
        }
        return sb.toString();
    }

    /**
     * {@code FLOAT}: the text Python's unpickler reads ({@code load_float} in
     * {@code Modules/_pickle.c}, by {@code PyOS_string_to_double}): a sign,
     * then digits with an optional point and exponent, or {@code inf},
     * {@code infinity} or {@code nan} in any case; nothing around it. Java's
     * own forms ({@code 0x1p3}, {@code 1d}, blanks) are not Python's and are
     * refused.
     */
    static double parseFloat(String text) {
        int i = 0;
        boolean negative = false;
        if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i++) == '-';
        }
        String word = text.substring(i);
        if (word.equalsIgnoreCase("inf") || word.equalsIgnoreCase("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (word.equalsIgnoreCase("nan")) {
            return Double.NaN;
        }
        int intDigits = digits(text, i);
        i += intDigits;
        int fractionDigits = 0;
        if (i < text.length() && text.charAt(i) == '.') {
            fractionDigits = digits(text, ++i);
            i += fractionDigits;
        }
        boolean ok = intDigits > 0 || fractionDigits > 0;
        if (ok && i < text.length() && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            int exponentDigits = digits(text, i);
            ok = exponentDigits > 0;
            i += exponentDigits;
        }
        if (!ok || i != text.length()) {
            throw new PickleFormatException("could not convert string to float: " + Repr.repr(Repr.truncate(text, 40)));
        }
        return Double.parseDouble(text); // the same text in Java's grammar, rounded alike (to nearest)
    }

    private static int digits(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i - from;
    }
}
