/**
 * The peer's calls to us: the command table of exposed methods, binding a
 * CALL's arguments to a method, running it on the executor (or the I/O
 * thread), the running calls of each connection and their cancellation, and
 * the replies.
 *
 * <p>Uses {@code value}, {@code pickle}, {@code convert} and {@code frame};
 * never {@code call} or a Netty channel.
 */
package kaa.rpc.internal.dispatch;
