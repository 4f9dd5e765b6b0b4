package kaa.rpc.cli;

import java.util.List;

/**
 * The command line's globs ({@code *} any characters, {@code ?} one, every
 * other character itself), matched by a greedy walk that goes back to the
 * last star only: at most the product of the two lengths in steps (a shown
 * command has at most a hundred characters). The text is a peer's command,
 * and a regular expression made of a glob such as {@code *_*_*_*_x} would
 * try every way to split it, for seconds a call.
 */
final class Glob {

    private Glob() {
    }

    /** Whether {@code text} matches any of {@code globs}. */
    static boolean matchesAny(List<String> globs, String text) {
        for (String g : globs) {
            if (matches(g, text)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code text} matches {@code glob} whole, character by character (a surrogate pair is one). */
    static boolean matches(String glob, String text) {
        int[] p = glob.codePoints().toArray();
        int[] s = text.codePoints().toArray();
        int g = 0;
        int t = 0;
        int star = -1; // the glob's last star, and where in the text it began to match
        int starText = 0;
        while (t < s.length) {
            if (g < p.length && (p[g] == '?' || p[g] != '*' && p[g] == s[t])) {
                g++;
                t++;
            } else if (g < p.length && p[g] == '*') {
                star = g++;
                starText = t;
            } else if (star >= 0) { // the last star takes one more character, and the rest is tried again
                g = star + 1;
                t = ++starText;
            } else {
                return false;
            }
        }
        while (g < p.length && p[g] == '*') {
            g++;
        }
        return g == p.length;
    }
}
