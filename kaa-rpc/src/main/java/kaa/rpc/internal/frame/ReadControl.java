package kaa.rpc.internal.frame;

/**
 * Whether a connection is read, as seen from the session and its dispatch.
 * The {@link ReadGate} of the connection is the implementation side, and
 * the one writer of Netty's {@code autoRead}.
 *
 * <p>The session does not say "pause" or "resume": the conditions behind
 * {@link Reason#BUSY} and {@link Reason#PEER_NOT_READING} change on several
 * threads (a call ends on the executor, another starts on the I/O thread),
 * and a pause and a resume sent from two threads could arrive in either
 * order. It says which reason may have changed; the gate reads the condition
 * again, on the connection's own thread, and pauses or resumes to match.
 */
public interface ReadControl {

    /** Why a connection is not read; the reason says whose time it is (see {@link ReadGate}). */
    enum Reason {
        /** As many of the peer's calls run as allowed. Our work: the peer's clocks stop. */
        BUSY(true),
        /** The next frame waits for room in the shared receive budget. Our memory: the peer's clocks stop. */
        BUDGET(true),
        /** Our answers to the peer pile up unread. The peer's doing: its time runs on. */
        PEER_NOT_READING(false);

        final boolean ours;
        final int bit = 1 << ordinal();

        Reason(boolean ours) {
            this.ours = ours;
        }
    }

    /**
     * The condition behind {@code reason} may have changed: reading is paused
     * or resumed to match, on the connection's own thread (from any thread;
     * frames buffered meanwhile are decoded first when it resumes).
     */
    void reconsider(Reason reason);

    /** Whether the connection is not being read now (a snapshot, from any thread). */
    boolean paused();
}
