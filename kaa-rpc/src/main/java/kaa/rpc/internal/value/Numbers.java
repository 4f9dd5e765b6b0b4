package kaa.rpc.internal.value;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Numbers as text at a cost bounded by the text asked for, whatever the
 * number: the one place where a peer's {@code BigInteger} or
 * {@code BigDecimal} becomes text. {@code BigInteger.toString} is quadratic
 * in the digits (a 1 MB int takes seconds), so a number whose size implies
 * more characters than allowed is never converted: it is rendered as
 * {@code <int of N bits>} (or {@code <Decimal of N bits, exponent E>}), which
 * costs nothing. Python 3.11 refuses {@code str()} of an int over 4,300
 * digits for the same reason.
 */
public final class Numbers {

    /** Python's limit on the digits of an int converted from or to text. */
    public static final int MAX_INT_DIGITS = 4300;

    private static final double LOG10_2 = 0.30102999566398120;

    private Numbers() {
    }

    /** An upper bound of the characters of {@code n}'s decimal text, sign included, from its size alone. */
    public static long maxChars(BigInteger n) {
        return (long) (n.bitLength() * LOG10_2) + 2 + (n.signum() < 0 ? 1 : 0);
    }

    /** The decimal text of {@code n} if it has at most {@code max} characters, else {@code <int of N bits>}. */
    public static String text(BigInteger n, int max) {
        return maxChars(n) <= max ? n.toString() : "<int of " + n.bitLength() + " bits"
                + (n.signum() < 0 ? ", negative>" : ">");
    }

    /**
     * The text of {@code d} ({@code BigDecimal.toString}, as Python's
     * {@code str(Decimal)} writes it) if it has at most about {@code max}
     * characters, else {@code <Decimal of N bits, exponent E>}.
     */
    public static String text(BigDecimal d, int max) {
        BigInteger unscaled = d.unscaledValue();
        // the digits, a point, and an exponent of at most 11 characters ("E-2147483648")
        if (maxChars(unscaled) + 13 <= max) {
            return d.toString();
        }
        return "<Decimal of " + unscaled.bitLength() + " bits" + (unscaled.signum() < 0 ? ", negative" : "")
                + ", exponent " + (-(long) d.scale()) + ">";
    }

    /** Any number as text: a big one as above, any other (short by its type) as its {@code toString}. */
    public static String text(Number n, int max) {
        if (n instanceof BigInteger) {
            return text((BigInteger) n, max);
        }
        if (n instanceof BigDecimal) {
            return text((BigDecimal) n, max);
        }
        return String.valueOf(n);
    }

    /** {@code n} in hexadecimal ({@code 0x1f}, {@code -0x1f}): exact, and linear in its size. */
    public static String hex(BigInteger n) {
        byte[] b = n.abs().toByteArray();
        StringBuilder sb = new StringBuilder(b.length * 2 + 3).append(n.signum() < 0 ? "-0x" : "0x");
        boolean leading = true;
        for (byte x : b) {
            for (int shift = 4; shift >= 0; shift -= 4) {
                int digit = x >> shift & 0xf;
                if (leading && digit == 0) {
                    continue;
                }
                leading = false;
                sb.append(Character.forDigit(digit, 16));
            }
        }
        return leading ? "0x0" : sb.toString();
    }
}
