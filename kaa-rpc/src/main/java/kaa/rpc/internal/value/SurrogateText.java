package kaa.rpc.internal.value;

import java.util.BitSet;

/**
 * A Python {@code str} that a Java {@code String} cannot hold exactly: it has
 * a high surrogate and a low one next to each other that came as two code
 * points ({@code '\ud800\udc00'}, each encoded on its own, {@code ED A0 80 ED B0 80}),
 * which a String reads as one astral character ({@code U+10000}, written
 * {@code F0 90 80 80}). It remembers which pairs were two, so that it goes
 * back as it came; as a {@code String} ({@link #toString}, or a
 * {@code String} parameter) Java reads each such pair as one character.
 * Equal only to the same text split at the same places, as in Python
 * {@code '\ud800\udc00' != '\U00010000'}.
 */
public final class SurrogateText implements CharSequence {

    private final String text;
    /** The index of the high surrogate of each pair that is two code points. */
    private final BitSet split;

    public SurrogateText(String text, BitSet split) {
        this.text = text;
        this.split = split;
    }

    /** Whether the high surrogate at {@code index} and the low one after it are two code points. */
    public boolean splitAt(int index) {
        return split.get(index);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public char charAt(int index) {
        return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return text.subSequence(start, end);
    }

    /** The text as Java reads it: each pair, split or not, one character. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SurrogateText && ((SurrogateText) o).text.equals(text)
                && ((SurrogateText) o).split.equals(split);
    }

    @Override
    public int hashCode() {
        return text.hashCode() * 31 + split.hashCode();
    }
}
