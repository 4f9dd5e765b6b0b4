/**
 * Micrometer observations of kaa-rpc calls, both ways.
 *
 * <pre>{@code
 * MeterRegistry meters = new SimpleMeterRegistry();   // or Prometheus's, or any other
 * ObservationRegistry registry = ObservationRegistry.create();
 * registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
 * KaaRpcObservations observations = KaaRpcObservations.create(registry);
 * Server server = Server.builder("127.0.0.1:0").secret("s")
 *         .interceptIncoming(observations.incoming()).interceptOutgoing(observations.outgoing()).listen();
 * Client client = Client.builder(server.address()).secret("s")
 *         .interceptOutgoing(observations.outgoing()).interceptIncoming(observations.incoming()).connect();
 * }</pre>
 *
 * <h2>Observations and keys</h2>
 * {@code kaa.rpc.client} observes a call this side makes, {@code kaa.rpc.server}
 * a call it serves: by the call's direction, whichever side connected (a server
 * calling back its client makes {@code kaa.rpc.client} observations). Their
 * contexts are a {@link kaa.rpc.micrometer.KaaRpcClientContext} (a
 * {@code RequestReplySenderContext}, kind CLIENT) and a
 * {@link kaa.rpc.micrometer.KaaRpcServerContext} (a
 * {@code RequestReplyReceiverContext}, kind SERVER); the contextual name (a
 * span's name) is the bounded command. Every observation carries the same
 * low-cardinality keys, whatever its outcome, with {@code UNKNOWN} or
 * {@code none} where a value is absent, so that no registry sees one meter name
 * with two key sets:
 * <ul>
 * <li>{@code rpc.system}: {@code kaa_rpc};</li>
 * <li>{@code rpc.method}: the command. A served call's is its name if an exposed
 *     method has it, else {@code _OTHER}; a call made's is its name for the first
 *     100 distinct names (see {@link kaa.rpc.micrometer.KaaRpcObservations.Builder#maxMethodNames}),
 *     then {@code _OTHER};</li>
 * <li>{@code outcome}: a {@link kaa.rpc.CallOutcome}, {@code SUCCESS},
 *     {@code REMOTE_ERROR}, {@code TIMEOUT}, {@code CANCELLED}, {@code NOT_CONNECTED},
 *     {@code REFUSED} or {@code ERROR} ({@code UNKNOWN} at the start, so on the
 *     {@code .active} meter);</li>
 * <li>{@code error.type}: {@code none}, or the remote Python type of a remote error
 *     (a Java peer's are its exception class names), the builtin a refusal names
 *     ({@code KeyError} for an unknown command, {@code TypeError} for arguments
 *     that do not bind, {@code RuntimeError} for an interceptor's refusal), or this
 *     side's exception class name; remote types and other exception classes are
 *     themselves for the first 100 distinct ones
 *     ({@link kaa.rpc.micrometer.KaaRpcObservations.Builder#maxErrorTypes}), then
 *     {@code _OTHER}.</li>
 * </ul>
 * High-cardinality keys (spans only): {@code network.peer.address}
 * ({@code host:port} or a socket path), {@code network.transport} ({@code tcp},
 * {@code unix}), {@code kaa.rpc.peer} ({@code java}, {@code python}), and on
 * served calls {@code kaa.rpc.seq}. Both sets are
 * {@link kaa.rpc.micrometer.KaaRpcObservationDocumentation}'s; replace them with
 * a {@link kaa.rpc.micrometer.KaaRpcClientObservationConvention} or
 * {@link kaa.rpc.micrometer.KaaRpcServerObservationConvention} (extend the
 * {@code Default...} classes to add keys).
 *
 * <h2>Meters</h2>
 * {@code DefaultMeterObservationHandler} makes, per name, a {@code Timer}
 * ({@code kaa.rpc.client}, {@code kaa.rpc.server}) tagged with the keys above
 * and its own {@code error} (the exception's simple class name, or
 * {@code none}), and a {@code LongTaskTimer} {@code kaa.rpc.client.active} /
 * {@code kaa.rpc.server.active}: the calls in flight, and how long they have
 * run. Bound or trim them with meter filters, registered before any meter:
 * <pre>{@code
 * meters.config()
 *     // at most 200 distinct commands per meter name; later ones are not recorded
 *     .meterFilter(MeterFilter.maximumAllowableTags("kaa.rpc", "rpc.method", 200, MeterFilter.deny()))
 *     // fewer time series: no error type (the outcome stays)
 *     .meterFilter(MeterFilter.ignoreTags("error.type"))
 *     // percentiles down to microseconds: a loopback call takes tens of them, below a histogram's default 1 ms
 *     .meterFilter(new MeterFilter() {
 *         public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
 *             return id.getName().startsWith("kaa.rpc")
 *                     ? DistributionStatisticConfig.builder().percentilesHistogram(true)
 *                             .minimumExpectedValue((double) Duration.ofMicros(10).toNanos())
 *                             .maximumExpectedValue((double) Duration.ofSeconds(30).toNanos())
 *                             .build().merge(config)
 *                     : config;
 *         }
 *     });
 * }</pre>
 *
 * <h2>Connections</h2>
 * {@link kaa.rpc.micrometer.KaaRpcMeters} is a {@link kaa.rpc.ConnectionObserver}
 * ({@code PeerBuilder.observer}) with a gauge of open connections and counters of
 * failed handshakes by reason, refusals by limit and bytes each way by packet
 * type. It alone needs {@code micrometer-core}, an optional dependency of this
 * module.
 *
 * <h2>Tracing</h2>
 * With a tracing handler (micrometer-tracing's bridge to Brave or OpenTelemetry)
 * the observations are spans. What the handler injects into the client context's
 * carrier travels as {@linkplain kaa.rpc.OutgoingCall#withHeader headers} of the
 * call; the server context reads them back from
 * {@link kaa.rpc.RpcCall#headers()}: between two peers of this library, the
 * server's span is the client's child. Headers never go to a Python peer nor
 * come from one, so there the spans are simply not linked.
 *
 * <h2>Threads</h2>
 * The outgoing interceptor starts its observation on the thread that makes the
 * call and stops it on the channel's executor, where the call completes; it does
 * not open a scope, so the caller's current observation stays its own (and is the
 * parent). The incoming interceptor starts its observation on the thread the
 * exposed method runs on (the executor, or the I/O thread for a direct method),
 * keeps it in scope while the chain goes on on that thread, so that a call a
 * synchronous method makes has it as parent, and stops it where the answer
 * completes.
 */
package kaa.rpc.micrometer;
