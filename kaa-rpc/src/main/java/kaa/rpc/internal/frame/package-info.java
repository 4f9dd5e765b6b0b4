/**
 * The 12-byte frame of the kaa.rpc protocol and what reads it: the
 * {@link kaa.rpc.internal.frame.Packet} and its types, the decoder with its
 * limits and deadlines, the receive budget that large frames share, and the
 * one owner of whether a socket is read ({@link kaa.rpc.internal.frame.ReadGate}).
 * The two interfaces the engine sees of a connection live here:
 * {@link kaa.rpc.internal.frame.FrameSink} (send frames) and
 * {@link kaa.rpc.internal.frame.ReadControl} (pause reading for a reason).
 *
 * <p>Uses Netty's buffers and handler API, {@code exec} and {@code log}.
 */
package kaa.rpc.internal.frame;
