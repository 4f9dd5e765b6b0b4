package kaa.rpc.internal.value;

/** Python 2's byte strings: a str of one char per byte, as both the reader and the conversion meet them. */
public final class Latin1 {

    private Latin1() {
    }

    /**
     * The bytes of {@code s}, one per char.
     *
     * @throws IllegalArgumentException naming the first char beyond U+00FF
     */
    public static byte[] bytes(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) {
            char c = s.charAt(i);
            if (c > 0xff) {
                throw new IllegalArgumentException("expected bytes, got str with character U+"
                        + String.format("%04X", (int) c) + " at index " + i
                        + " (only a Python 2 byte string converts to byte[])");
            }
            b[i] = (byte) c;
        }
        return b;
    }
}
