/**
 * OpenTelemetry spans and metrics of kaa-rpc calls, both ways, after the RPC
 * semantic conventions v1.44.0 (a <b>release candidate</b>: every key and
 * value is in {@link kaa.rpc.opentelemetry.RpcAttributes}, to move in one place
 * when the conventions do).
 *
 * <pre>{@code
 * KaaRpcTelemetry telemetry = KaaRpcTelemetry.create(openTelemetry);   // GlobalOpenTelemetry.get(), an SDK
 * Server server = Server.builder("127.0.0.1:0").secret("s")
 *         .interceptIncoming(telemetry.incoming()).interceptOutgoing(telemetry.outgoing()).listen();
 * Client client = Client.builder(server.address()).secret("s")
 *         .interceptOutgoing(telemetry.outgoing()).interceptIncoming(telemetry.incoming()).connect();
 * }</pre>
 *
 * <h2>Spans</h2>
 * One per call on each side: kind CLIENT for a call this side makes, SERVER for
 * one it serves (by the call's direction: a server calling back its client
 * makes CLIENT spans). Name: {@code rpc.method}, or {@code kaa_rpc} when that is
 * {@code _OTHER}. Attributes, set at the start: {@code rpc.system.name}
 * ({@code kaa_rpc}), {@code rpc.method} (a served call's command if exposed,
 * else {@code _OTHER}; a call made's command for the first 100 distinct ones,
 * then {@code _OTHER}), {@code rpc.method_original} (the command, when
 * {@code _OTHER}), {@code network.peer.address} and {@code network.peer.port},
 * and on CLIENT spans {@code server.address} and {@code server.port} (a
 * client's address as configured, {@link kaa.rpc.Client#address()}; for a server
 * calling back its client, the connection's remote address; a Unix socket's path
 * as {@code server.address}, without port). A failed call gets {@code error.type}, status ERROR with the
 * exception's message, and the exception recorded once (as a span event).
 *
 * <h2>Metrics</h2>
 * {@code rpc.client.call.duration} and {@code rpc.server.call.duration}: double
 * histograms in seconds, with {@code rpc.system.name}, {@code rpc.method},
 * {@code error.type} (failed calls only) and, on the client, {@code server.address}
 * and {@code server.port}. Their bucket boundaries are advised as gRPC's (0,
 * 10 µs, 50 µs, 100 µs, 300 µs, ... 1 s, 2, 5, 10, 20, 50, 100 s), since a call
 * on one machine takes tens of microseconds; change them with
 * {@link kaa.rpc.opentelemetry.KaaRpcTelemetry.Builder#durationBuckets}.
 *
 * <h2>Context</h2>
 * The outgoing interceptor injects the client span's context with the
 * instance's text-map propagator into the call's headers; the incoming one
 * extracts it from them as the server span's parent. Between two peers of this
 * library one trace goes across; a Python peer neither gets headers nor sends
 * them, so its calls' spans are simply not linked.
 *
 * <h2>Threads</h2>
 * The outgoing interceptor starts the CLIENT span on the thread that makes the
 * call, as a child of that thread's current context, without making it current:
 * the caller's context stays the caller's, and callbacks on the caller's future
 * (which run on the channel's executor) run in the caller's context as it was
 * when the call was made, never in the client span.
 * The span ends on the channel's executor, where the call completes.
 * The incoming interceptor starts the SERVER span on the thread the exposed
 * method runs on (the executor, or the I/O thread for a direct method) and makes
 * it current while the chain goes on on that thread (closing the scope before it
 * returns): calls a synchronous method makes are its children. It ends where the
 * answer completes.
 */
package kaa.rpc.opentelemetry;
