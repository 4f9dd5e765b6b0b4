package kaa.rpc.cli;

/**
 * Text from a peer made safe to print on a terminal: a hostile peer must not
 * set the window title, clear the screen, move the cursor or forge a line
 * (a carriage return, say, then "kaarpc: call succeeded"). Control
 * characters (C0 but newline and tab, DEL, C1) and the invisible ones that
 * reorder or hide text (bidirectional overrides and isolates, line and
 * paragraph separators) are written as escapes, {@code \\x1b} or
 * {@code \\u202e}.
 */
final class Terminal {

    private Terminal() {
    }

    /** {@code text} with every character a terminal could act on escaped; newlines and tabs are kept. */
    static String safe(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\t' || !isUnsafe(c)) {
                if (sb != null) {
                    sb.append(c);
                }
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            sb.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
        }
        return sb == null ? text : sb.toString();
    }

    /** C0 controls, DEL, C1 controls, bidirectional controls, and line and paragraph separators. */
    static boolean isUnsafe(char c) {
        return c < 0x20 || c >= 0x7f && c <= 0x9f || c == 0x061c || c == 0x200e || c == 0x200f
                || c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069 || c == 0x2028 || c == 0x2029;
    }
}
