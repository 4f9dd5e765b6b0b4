/**
 * One {@code kaa.rpc.Channel}'s engine: its life cycle across connections,
 * and the router of each packet to our calls ({@code call}) or the peer's
 * ({@code dispatch}), which meet only here.
 *
 * <p>Sees a connection only as a {@code frame.FrameSink} and a
 * {@code frame.ReadControl}: never a Netty channel.
 */
package kaa.rpc.internal.session;
