package kaa.rpc;

import java.util.concurrent.CompletionStage;

/**
 * Around every call the peer makes of this side: to time, log, count,
 * change, answer or refuse it before an exposed method runs. Installed with
 * {@link PeerBuilder#interceptIncoming}; the first installed is
 * the outermost (it runs first, and sees the completion last), on both sides.
 *
 * <pre>{@code
 * IncomingInterceptor onlyLocal = (call, next) -> {
 *     if (call.connection().transport() != ConnectionInfo.Transport.UNIX) {
 *         throw new CallRefusedException("only local callers may call " + call.command());
 *     }
 *     return next.proceed(call);
 * };
 * }</pre>
 *
 * <p>The contract:
 * <ul>
 * <li>{@link #intercept} sees every well-formed CALL, unknown commands
 *     included ({@link IncomingCall#isKnownCommand()}); a malformed one is
 *     answered before it. It runs on the thread the exposed method would
 *     run on: the channel's executor, or the I/O thread for a direct method
 *     ({@link Expose#direct()}, {@code directDispatch()} on a builder), where
 *     it must not block. A call the executor refuses (it is shut down) is
 *     answered with a {@code RuntimeError} before any interceptor sees it.</li>
 * <li>It may go on ({@link Next#proceed}) at most once, then or later from
 *     any thread, with the call or a changed one; or not go on, and answer
 *     with a completed stage, or refuse with a failed one (or by throwing).
 *     A {@link CallRefusedException} reaches the caller as the builtin
 *     Python exception it names ({@code RuntimeError} by default) with its
 *     message alone; any other exception as an exposed method's would.</li>
 * <li>The stage from {@code proceed} completes exactly once: with the
 *     method's result, or failed with what it threw, a
 *     {@link CallRefusedException} (an unknown command, arguments that do not
 *     bind), or a
 *     {@link java.util.concurrent.CancellationException} (the caller
 *     cancelled, or the connection was lost, and no answer is sent). Its
 *     dependent actions run where it completes.</li>
 * <li>The returned stage is the answer: its value is sent (RETN) or its
 *     error (EXCP), once, unless the call was cancelled.</li>
 * <li>An interceptor that throws anything but a {@link CallRefusedException}
 *     fails only its call (the caller gets the error), and is logged once
 *     (logger {@code kaa.rpc.internal.dispatch.IncomingChain}, at most a line a
 *     second); the reader, the connection and other calls go on.</li>
 * </ul>
 * Interceptors run concurrently for concurrent calls: they must be thread-safe.
 * With none installed, a call costs what it did without this feature.
 */
@FunctionalInterface
public interface IncomingInterceptor {

    /**
     * Handles one call of the peer's.
     *
     * @param call the call, read-only
     * @param next the rest of the chain: the next interceptor, or the exposed method
     * @return the answer; never null
     * @throws Exception to fail the call
     */
    CompletionStage<?> intercept(IncomingCall call, Next next) throws Exception;

    /** The rest of the chain, for one call: go on at most once. */
    @FunctionalInterface
    interface Next {
        /**
         * Goes on with {@code call}: to the next interceptor, or to the exposed method.
         *
         * @param call this call, or a changed view of it
         * @return the method's result
         * @throws IllegalStateException if this call went on already
         */
        CompletionStage<Object> proceed(IncomingCall call);
    }
}
