package kaa.rpc.internal.frame;

import java.time.Duration;

/** The sizes and times that bound a connection's frames, in and out, wherever they are checked. */
public final class FrameLimits {

    private FrameLimits() {
    }

    /** The largest payload a peer may send us, and so the largest we send (a peer with the same limit closes on more). */
    /** The most headers a call carries (CALH), and a name's and a value's greatest length, in chars. */
    public static final int MAX_HEADERS = 32;
    public static final int MAX_HEADER_NAME = 256;
    public static final int MAX_HEADER_VALUE = 4096;

    public static final long DEFAULT_MAX_FRAME_SIZE = 64L * 1024 * 1024;
    /** How long a frame may take to arrive, from its first byte to its last. */
    public static final Duration DEFAULT_FRAME_TIMEOUT = Duration.ofSeconds(30);
    /** Outbound bytes queued on a connection above which new calls are refused and reading pauses. */
    public static final int OUTBOUND_HIGH_WATER = 16 << 20;
    /** Below this again, the connection is writable once more. */
    public static final int OUTBOUND_LOW_WATER = 8 << 20;
}
