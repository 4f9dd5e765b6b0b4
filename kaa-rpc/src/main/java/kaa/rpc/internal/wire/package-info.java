/**
 * What is seen of a connection from outside its engine: the connection
 * observers a builder installs, called safely
 * ({@link kaa.rpc.internal.wire.Observers}), and the wire trace, one line per
 * packet ({@link kaa.rpc.internal.wire.WireFormat} renders it, for the
 * library's logger and for the command line's tracing proxy alike).
 *
 * <p>Uses {@code frame} (packet types), {@code pickle} and {@code value} (to
 * render a payload within the work and length limits), {@code log} and the
 * public package's {@code ConnectionObserver} and {@code ConnectionInfo};
 * never a Netty channel.
 */
package kaa.rpc.internal.wire;
