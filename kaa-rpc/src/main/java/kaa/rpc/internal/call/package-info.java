/**
 * Our calls to the peer: the call table and its sequence numbers, the queue
 * of calls waiting for the connection to open, time-outs and CNCL, and the
 * futures that answers complete (an EXCP becoming a
 * {@code kaa.rpc.RemoteException}).
 *
 * <p>Uses {@code value}, {@code pickle}, {@code convert} and {@code frame};
 * never {@code dispatch} or a Netty channel.
 */
package kaa.rpc.internal.call;
