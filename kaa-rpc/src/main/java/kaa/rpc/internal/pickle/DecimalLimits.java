package kaa.rpc.internal.pickle;

/**
 * What a {@code decimal.Decimal} a peer sent may be: at most
 * {@code maxDigits} digits as written, and an exponent (a {@code BigDecimal}'s
 * negated scale) within {@code ±maxExponent}. {@code BigDecimal} arithmetic
 * aligns scales by multiplying by a power of ten, so {@code Decimal('1e30000000')},
 * 76 bytes, makes an ordinary {@code a.add(b)} take a minute; within these
 * bounds a value written out in full has at most {@code maxDigits + maxExponent}
 * digits, and arithmetic on two of them handles a few times that.
 */
public record DecimalLimits(int maxDigits, int maxExponent) {

    /**
     * 5,000 digits (Python's 4,300-digit limit for ints, with room: a
     * 4,301-digit Decimal, legal in Python, passes) and exponents within
     * ±5,000 (Python's default context allows ±999,999 in arithmetic, but
     * ordinary values, money or measurements, stay far below).
     */
    public static final DecimalLimits DEFAULT = new DecimalLimits(5000, 5000);

    public DecimalLimits {
        if (maxDigits < 1 || maxExponent < 0) {
            throw new IllegalArgumentException("decimal limits must be at least 1 digit and an exponent of 0, got "
                    + maxDigits + " and " + maxExponent);
        }
    }
}
