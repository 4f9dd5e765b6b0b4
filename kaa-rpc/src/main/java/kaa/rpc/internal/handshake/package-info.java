/**
 * The AUTH/RESP (and our DENY) challenge-response before a connection opens:
 * the HMAC arithmetic and our challenge format
 * ({@link kaa.rpc.internal.handshake.Handshake}) and the handler that runs it
 * and removes itself once open.
 *
 * <p>Uses {@code frame}; tells its connection what happened through
 * {@link kaa.rpc.internal.handshake.HandshakePeer}, never by name.
 */
package kaa.rpc.internal.handshake;
