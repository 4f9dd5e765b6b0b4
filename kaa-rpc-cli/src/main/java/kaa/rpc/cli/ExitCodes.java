package kaa.rpc.cli;

/** The exit statuses of {@code kaarpc}. */
final class ExitCodes {

    static final int OK = 0;
    /** The remote side raised an exception. */
    static final int REMOTE_EXCEPTION = 1;
    /** Bad usage: unknown option, bad argument. */
    static final int USAGE = 2;
    /** Could not connect: refused, no such socket, authentication failed, handshake timed out. */
    static final int CONNECT = 3;
    /** The call got no answer within the time-out. */
    static final int TIMEOUT = 4;
    /** An answer came but could not be read (malformed, over the limits) or printed (too large for JSON). */
    static final int BAD_ANSWER = 5;
    /** Connected, but the connection was lost before the answer came (the call may have run). */
    static final int CONNECTION_LOST = 6;

    private ExitCodes() {
    }
}
