package kaa.rpc;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Around every call this side makes: to time, log, count, change, answer
 * from a cache, or refuse it. Installed with
 * {@link PeerBuilder#interceptOutgoing}; the first installed is
 * the outermost (it runs first, and sees the completion last), on both sides.
 *
 * <pre>{@code
 * OutgoingInterceptor timing = (call, next) -> {
 *     long start = System.nanoTime();
 *     return next.proceed(call).whenComplete((value, error) ->
 *             log.info("{} took {} µs", call.command(), (System.nanoTime() - start) / 1000));
 * };
 * }</pre>
 *
 * <p>The contract:
 * <ul>
 * <li>{@link #intercept} runs on the thread that makes the call (the one
 *     calling {@code rpc}, {@code tell} or a proxy method), before anything
 *     is sent. It may go on ({@link Next#proceed}) at most once, then or
 *     later from any thread, with the call or a changed one
 *     ({@link OutgoingCall#withArgs} and the like); or not go on, and answer
 *     itself with a completed stage (a cache) or a failed one (a refusal).</li>
 * <li>Its returned stage is the call's completion: the caller's future
 *     completes with its value (which must be of the call's
 *     {@linkplain OutgoingCall#resultType() result type}) or fails with its
 *     error. The stage from {@code proceed} completes exactly once for every
 *     outcome: the answer, a {@link RemoteException}, a
 *     {@link java.util.concurrent.TimeoutException}, a
 *     {@link java.util.concurrent.CancellationException} (the caller
 *     cancelled), a {@link NotConnectedException} (no connection, or it was
 *     lost), or a {@link java.util.concurrent.RejectedExecutionException}
 *     (refused by a limit). Its dependent actions run on the channel's
 *     executor, never on an I/O thread, as those of any call's future do.</li>
 * <li>Cancelling the caller's future cancels the call that went on.</li>
 * <li>An interceptor that throws fails only its call, with what it threw;
 *     that is logged once (logger {@code kaa.rpc.internal.call.OutgoingChain},
 *     at most a line a second), and a call it had let go on is cancelled.</li>
 * </ul>
 * Interceptors run concurrently for concurrent calls: they must be thread-safe.
 * With none installed, a call costs what it did without this feature.
 */
@FunctionalInterface
public interface OutgoingInterceptor {

    /**
     * Handles one call.
     *
     * @param call the call, read-only
     * @param next the rest of the chain: the next interceptor, or the sending
     * @return the call's completion; never null
     * @throws Exception to fail the call
     */
    CompletionStage<?> intercept(OutgoingCall call, Next next) throws Exception;

    /** The rest of the chain, for one call: go on at most once. */
    @FunctionalInterface
    interface Next {
        /**
         * Goes on with {@code call}: to the next interceptor, or to the peer.
         *
         * @param call this call, or a changed view of it
         * @return its completion (the answer, converted to the result type)
         * @throws IllegalStateException if this call went on already
         */
        CompletableFuture<Object> proceed(OutgoingCall call);
    }
}
