package kaa.rpc;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A call this side makes, as an {@link OutgoingInterceptor} sees it. The
 * {@code with} methods make a changed call to pass to
 * {@link OutgoingInterceptor.Next#proceed}; this view stays as it is.
 */
public interface OutgoingCall extends RpcCall {

    /** {@return what the answer is converted to: {@code Object.class}, a class, or a generic type} */
    Type resultType();

    /** {@return the call's own time-out, or null if it has none} */
    Duration timeout();

    /**
     * Wraps every action the caller's future runs for its dependents
     * ({@code thenApply}, {@code whenComplete}, and those of the futures made
     * from it), which run on the channel's executor: so that the caller's
     * callbacks see what was current on the caller's thread, such as a trace
     * context this interceptor captures in {@link OutgoingInterceptor#intercept}.
     * For this call only; wrappers added by several interceptors apply in
     * their order, the first installed outermost.
     *
     * @param wrapper what each action runs in: given the action, the one to run instead
     */
    void wrapCallbacks(UnaryOperator<Runnable> wrapper);

    /**
     * The same call of another command.
     *
     * @param command the command to call instead
     * @return a new view
     */
    OutgoingCall withCommand(String command);

    /**
     * The same call with other positional arguments.
     *
     * @param args the arguments (copied)
     * @return a new view
     */
    OutgoingCall withArgs(Object... args);

    /**
     * The same call with other keyword arguments.
     *
     * @param kwargs the keyword arguments (copied, in their order)
     * @return a new view
     */
    OutgoingCall withKwargs(Map<String, ?> kwargs);

    /**
     * The same call with one more header (replacing one of that name). A
     * header goes only to a peer of this library; see {@link RpcCall#headers()}.
     *
     * @param name at most 256 characters
     * @param value at most 4096 characters
     * @return a new view
     * @throws IllegalArgumentException if the name or value is too long, or the
     *     call would carry more than 32 headers
     */
    OutgoingCall withHeader(String name, String value);
}
