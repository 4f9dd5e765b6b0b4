package kaa.rpc;

import java.util.Map;

/**
 * A call of the peer's, as an {@link IncomingInterceptor} sees it: the
 * command and arguments as they arrived, before they are bound to an
 * exposed method. The {@code with} methods make a changed call to pass to
 * {@link IncomingInterceptor.Next#proceed}; this view stays as it is.
 */
public interface IncomingCall extends RpcCall {

    /** {@return the sequence number of the call on its connection, as the peer chose it} */
    int seq();

    /**
     * Whether the command names an exposed method of the channel (a name the
     * peer may call); false for an unknown command, which fails with a
     * {@code KeyError} if the call goes on.
     *
     * @return true if an exposed method has this name
     */
    boolean isKnownCommand();

    /**
     * The same call of another command.
     *
     * @param command the command to run instead
     * @return a new view
     */
    IncomingCall withCommand(String command);

    /**
     * The same call with other positional arguments.
     *
     * @param args the arguments (copied)
     * @return a new view
     */
    IncomingCall withArgs(Object... args);

    /**
     * The same call with other keyword arguments.
     *
     * @param kwargs the keyword arguments (copied, in their order)
     * @return a new view
     */
    IncomingCall withKwargs(Map<String, ?> kwargs);
}
