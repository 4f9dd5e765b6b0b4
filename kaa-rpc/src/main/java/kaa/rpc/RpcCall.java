package kaa.rpc;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One call as an interceptor sees it: what is called with what, on which
 * channel and connection, since when; read-only (a changed call is a new
 * view, from an {@code with} method of {@link OutgoingCall} or
 * {@link IncomingCall}). Implemented by the library only.
 */
public interface RpcCall {

    /** {@return the command called} */
    String command();

    /**
     * {@return the positional arguments, unmodifiable: as given to {@code rpc} (outgoing) or as decoded
     * (incoming)}
     */
    List<Object> args();

    /** {@return the keyword arguments, unmodifiable, in their order} */
    Map<String, Object> kwargs();

    /**
     * Text that travels with the call beside its arguments, unmodifiable:
     * what a tracing module propagates. Only between two peers of this
     * library ({@link ConnectionInfo#peerIsJava()}); a Python peer never
     * sees headers, so to it they are not sent, and from it none arrive.
     *
     * @return the headers, by name
     */
    Map<String, String> headers();

    /** {@return the channel the call is made or served on} */
    Channel channel();

    /**
     * The connection the call goes over or came in on; for an outgoing call,
     * the one open when it was made, or null if none was (the call then waits
     * for one, or fails).
     *
     * @return the connection, or null
     */
    ConnectionInfo connection();

    /** {@return when the call began: {@link System#nanoTime()} as the first interceptor was entered} */
    long startNanos();

    /** {@return when the call began, by the wall clock} */
    default Instant startTime() {
        return Instant.now().minusNanos(System.nanoTime() - startNanos());
    }

    /** {@return the interceptors' own state for this call, shared by all views of it} */
    CallAttributes attributes();
}
