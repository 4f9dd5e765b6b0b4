/**
 * The internals of kaa-rpc, not exported. This package assembles them: the
 * settings a builder fills ({@link kaa.rpc.internal.Options}) and the
 * listening and connecting ({@link kaa.rpc.internal.Endpoints}) that make a
 * pipeline per connection.
 *
 * <p>The sub-packages follow the data, bottom up, each using only those
 * below it (docs/ARCHITECTURE.md draws it; {@code LayeringTest} holds every
 * import to it): {@code value}, then {@code pickle} and {@code convert},
 * {@code frame} and {@code handshake}, then {@code call} and
 * {@code dispatch} (both of which use {@code intercept}), {@code session},
 * {@code net}; {@code wire} (observers and the wire trace, which sit beside
 * the engine) uses {@code frame}, {@code pickle} and {@code value}, and only
 * {@code net} and this package use it; {@code exec} and {@code log} are
 * leaves any layer may use.
 */
package kaa.rpc.internal;
