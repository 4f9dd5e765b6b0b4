/**
 * Sockets and the Netty pipeline around a session: the per-connection
 * {@link kaa.rpc.internal.net.Connection} (the engine's frame sink and read
 * control), the outbox and the send budget, admission of new connections,
 * the heartbeat, the shared event loops, the epoll or NIO back-end, and
 * kaa's address syntax.
 *
 * <p>Uses everything below it and all of Netty.
 */
package kaa.rpc.internal.net;
