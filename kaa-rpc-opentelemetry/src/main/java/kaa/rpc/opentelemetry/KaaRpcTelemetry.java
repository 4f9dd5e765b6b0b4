package kaa.rpc.opentelemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import kaa.rpc.CallOutcome;
import kaa.rpc.Channel;
import kaa.rpc.Client;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.IncomingCall;
import kaa.rpc.IncomingInterceptor;
import kaa.rpc.OutgoingCall;
import kaa.rpc.OutgoingInterceptor;
import kaa.rpc.RemoteException;

/**
 * OpenTelemetry spans and metrics of kaa-rpc calls, after the RPC semantic
 * conventions v1.44.0 (a release candidate; see {@link RpcAttributes}): a
 * CLIENT span and an {@code rpc.client.call.duration} measurement for every
 * call this side makes ({@link #outgoing()}), a SERVER span and an
 * {@code rpc.server.call.duration} measurement for every call it serves
 * ({@link #incoming()}). The kind follows the call's direction, not the
 * socket's role: a server calling back its client makes CLIENT spans.
 *
 * <pre>{@code
 * KaaRpcTelemetry telemetry = KaaRpcTelemetry.create(openTelemetry);
 * Client client = Client.builder(address).secret(secret)
 *         .interceptOutgoing(telemetry.outgoing()).interceptIncoming(telemetry.incoming()).connect();
 * }</pre>
 *
 * <p>The context goes with a call as headers, through the OpenTelemetry
 * instance's text-map propagator: between two peers of this library the
 * server span is the client span's child, in one trace. A Python peer
 * neither gets nor sends headers, so its calls' spans are simply not linked.
 * One instance may serve any number of servers and clients; its bounds on
 * command names and error types are shared by all of them.
 */
public final class KaaRpcTelemetry {

    private static final TextMapGetter<IncomingCall> HEADERS =
            (call, key) -> call == null ? null : call.headers().get(key);

    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;
    private final DoubleHistogram clientDuration;
    private final DoubleHistogram serverDuration;
    private final BoundedNames clientMethods;
    private final BoundedNames errorTypes;
    private final OutgoingInterceptor outgoing = this::traceOutgoing;
    private final IncomingInterceptor incoming = this::traceIncoming;

    private KaaRpcTelemetry(Builder builder) {
        this.openTelemetry = builder.openTelemetry;
        this.tracer = openTelemetry.getTracer(RpcAttributes.INSTRUMENTATION_SCOPE);
        Meter meter = openTelemetry.getMeter(RpcAttributes.INSTRUMENTATION_SCOPE);
        this.clientDuration = meter.histogramBuilder(RpcAttributes.CLIENT_CALL_DURATION)
                .setDescription("Duration of calls this side makes, as the caller sees them.")
                .setUnit(RpcAttributes.DURATION_UNIT)
                .setExplicitBucketBoundariesAdvice(builder.durationBuckets).build();
        this.serverDuration = meter.histogramBuilder(RpcAttributes.SERVER_CALL_DURATION)
                .setDescription("Duration of calls this side serves, from their arrival to their answer.")
                .setUnit(RpcAttributes.DURATION_UNIT)
                .setExplicitBucketBoundariesAdvice(builder.durationBuckets).build();
        this.clientMethods = new BoundedNames(builder.maxMethodNames);
        this.errorTypes = new BoundedNames(builder.maxErrorTypes);
    }

    /**
     * Telemetry into {@code openTelemetry}, with the default bounds and buckets.
     *
     * @param openTelemetry the tracer, meter and propagator to use
     * @return the telemetry
     */
    public static KaaRpcTelemetry create(OpenTelemetry openTelemetry) {
        return builder(openTelemetry).build();
    }

    /**
     * A builder of telemetry into {@code openTelemetry}.
     *
     * @param openTelemetry the tracer, meter and propagator to use
     * @return a builder
     */
    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(openTelemetry);
    }

    /**
     * The interceptor of calls this side makes: install it with
     * {@link kaa.rpc.PeerBuilder#interceptOutgoing}. On the caller's thread it
     * starts a CLIENT span, child of the caller's current context, and injects
     * that span's context into the call's headers; it does not make the span
     * current, so the caller's context stays the caller's. Callbacks on the
     * caller's future (on the channel's executor) run in the caller's
     * context, as it was when the call was made, never in the client span
     * ({@link OutgoingCall#wrapCallbacks}). Where the call completes (on the
     * channel's executor) it ends the span and records the duration.
     *
     * @return the interceptor, the same every time
     */
    public OutgoingInterceptor outgoing() {
        return outgoing;
    }

    /**
     * The interceptor of calls this side serves: install it with
     * {@link kaa.rpc.PeerBuilder#interceptIncoming}. On the thread the exposed
     * method runs on it extracts the caller's context from the headers, starts
     * a SERVER span, its child, and makes it current while the chain goes on
     * on that thread: a call a synchronous method makes is the server span's
     * child. Where the answer completes it ends the span and records the
     * duration.
     *
     * @return the interceptor, the same every time
     */
    public IncomingInterceptor incoming() {
        return incoming;
    }

    private CompletionStage<?> traceOutgoing(OutgoingCall call, OutgoingInterceptor.Next next) {
        long start = System.nanoTime();
        Context parent = Context.current();
        String method = clientMethods.bound(call.command());
        ConnectionInfo connection = call.connection();
        SocketAddress remote = connection != null ? connection.remoteAddress() : call.channel().remoteAddress();
        AttributesBuilder metric = Attributes.builder().put(RpcAttributes.RPC_SYSTEM_NAME, RpcAttributes.KAA_RPC)
                .put(RpcAttributes.RPC_METHOD, method);
        Client client = call.channel() instanceof Client c ? c : null;
        if (client != null) { // the server a client was told: one for all its calls
            configuredAddress(metric, client.address());
        }
        Attributes metricAttributes = metric.build();
        SpanBuilder builder = spanBuilder(method, call.command(), SpanKind.CLIENT, parent)
                .setAllAttributes(metricAttributes);
        if (client == null) { // a server calling back its client: one of many, on the span only
            calledBackAddress(builder, remote);
        }
        peerAddress(builder, remote);
        Span span = builder.startSpan();
        CompletableFuture<Object> answer;
        try { // from here the span ends however this goes: a propagator's failure too
            call.wrapCallbacks(parent::wrap); // the caller's callbacks see the caller's context, not the client span
            OutgoingCall out = call;
            if (connection == null || connection.peerIsJava()) { // a Python peer never gets headers: skip the work
                TextMapPropagator propagator = openTelemetry.getPropagators().getTextMapPropagator();
                Map<String, String> headers = new LinkedHashMap<>(4);
                propagator.inject(parent.with(span), headers, (carrier, key, value) -> {
                    if (carrier != null) {
                        carrier.put(key, value);
                    }
                });
                for (Map.Entry<String, String> header : headers.entrySet()) {
                    try {
                        out = out.withHeader(header.getKey(), header.getValue());
                    } catch (IllegalArgumentException tooLong) {
                        // a header the call cannot carry is left out, rather than failing the call
                    }
                }
            }
            answer = next.proceed(out);
        } catch (RuntimeException | Error e) {
            end(span, clientDuration, metricAttributes, start, e);
            throw e;
        }
        return answer.whenComplete((value, error) -> end(span, clientDuration, metricAttributes, start, error));
    }

    private CompletionStage<?> traceIncoming(IncomingCall call, IncomingInterceptor.Next next) {
        long start = System.nanoTime();
        Context parent = openTelemetry.getPropagators().getTextMapPropagator()
                .extract(Context.current(), call, HEADERS);
        String method = call.isKnownCommand() ? call.command() : RpcAttributes.OTHER;
        Attributes metricAttributes = Attributes.of(RpcAttributes.RPC_SYSTEM_NAME, RpcAttributes.KAA_RPC,
                RpcAttributes.RPC_METHOD, method);
        SpanBuilder builder = spanBuilder(method, call.command(), SpanKind.SERVER, parent)
                .setAllAttributes(metricAttributes);
        ConnectionInfo connection = call.connection();
        peerAddress(builder, connection == null ? null : connection.remoteAddress());
        Span span = builder.startSpan();
        CompletionStage<Object> answer;
        try (Scope scope = parent.with(span).makeCurrent()) {
            answer = next.proceed(call);
        } catch (RuntimeException | Error e) {
            end(span, serverDuration, metricAttributes, start, e);
            throw e;
        }
        return answer.whenComplete((value, error) -> end(span, serverDuration, metricAttributes, start, error));
    }

    private SpanBuilder spanBuilder(String method, String command, SpanKind kind, Context parent) {
        boolean other = RpcAttributes.OTHER.equals(method);
        SpanBuilder builder = tracer.spanBuilder(other ? RpcAttributes.KAA_RPC : method).setSpanKind(kind)
                .setParent(parent);
        if (other) {
            builder.setAttribute(RpcAttributes.RPC_METHOD_ORIGINAL, cut(command));
        }
        return builder;
    }

    /** The longest command, or error message, a span keeps: a peer's may be as long as a frame. */
    static final int MAX_ORIGINAL = 200;

    /** {@code text}, cut at {@link #MAX_ORIGINAL} characters (never inside a surrogate pair), then {@code ...}. */
    static String cut(String command) {
        if (command == null || command.length() <= MAX_ORIGINAL) {
            return command;
        }
        int end = Character.isHighSurrogate(command.charAt(MAX_ORIGINAL - 1)) ? MAX_ORIGINAL - 1 : MAX_ORIGINAL;
        return command.substring(0, end) + "...";
    }

    private void end(Span span, DoubleHistogram histogram, Attributes attributes, long start, Throwable error) {
        double seconds = (System.nanoTime() - start) / 1e9;
        Attributes measured = attributes;
        if (error != null) {
            Throwable e = CallOutcome.cause(error);
            // one of a fixed few as itself; a peer's remote types and user code's classes the first so many
            String type = CallOutcome.of(e).hasFewErrorTypes() ? CallOutcome.errorType(e)
                    : errorTypes.bound(CallOutcome.errorType(e));
            span.setAttribute(RpcAttributes.ERROR_TYPE, type);
            // a peer's error says what it likes, at length: the span keeps the start of its own message (a remote
            // error's, without the traceback); error.type says what it is
            String message = e instanceof RemoteException r ? r.remoteMessage() : e.getMessage();
            String description = message == null || message.isEmpty() ? type : cut(message);
            span.setStatus(StatusCode.ERROR, description);
            span.recordException(e, Attributes.of(RpcAttributes.EXCEPTION_MESSAGE, description));
            measured = attributes.toBuilder().put(RpcAttributes.ERROR_TYPE, type).build();
        }
        histogram.record(seconds, measured); // first: once the span has ended, its call is measured too
        span.end();
    }

    /** The connection's remote address, as the server of a call a server makes back to its client. */
    private static void calledBackAddress(SpanBuilder span, SocketAddress remote) {
        if (remote instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) remote;
            span.setAttribute(RpcAttributes.SERVER_ADDRESS, inet.getHostString())
                    .setAttribute(RpcAttributes.SERVER_PORT, (long) inet.getPort());
        } else if (remote instanceof UnixDomainSocketAddress) {
            span.setAttribute(RpcAttributes.SERVER_ADDRESS, ((UnixDomainSocketAddress) remote).getPath().toString());
        }
    }

    /** {@code host:port} or {@code [v6]:port} as host and port; anything else is a Unix socket's path. */
    static void configuredAddress(AttributesBuilder attributes, String address) {
        int colon = address.lastIndexOf(':');
        if (colon > 0 && address.indexOf('/') < 0) {
            try {
                long port = Long.parseLong(address.substring(colon + 1));
                String host = address.substring(0, colon);
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                attributes.put(RpcAttributes.SERVER_ADDRESS, host).put(RpcAttributes.SERVER_PORT, port);
                return;
            } catch (NumberFormatException notAPort) {
                // a path with a colon in it
            }
        }
        attributes.put(RpcAttributes.SERVER_ADDRESS, address);
    }

    private static void peerAddress(SpanBuilder span, SocketAddress remote) {
        if (remote instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) remote;
            InetAddress ip = inet.getAddress();
            span.setAttribute(RpcAttributes.NETWORK_PEER_ADDRESS, ip != null ? ip.getHostAddress() : inet.getHostString())
                    .setAttribute(RpcAttributes.NETWORK_PEER_PORT, (long) inet.getPort());
        } else if (remote instanceof UnixDomainSocketAddress) {
            span.setAttribute(RpcAttributes.NETWORK_PEER_ADDRESS,
                    ((UnixDomainSocketAddress) remote).getPath().toString());
        }
    }

    /** Options of {@link KaaRpcTelemetry}; each has a default. */
    public static final class Builder {

        private final OpenTelemetry openTelemetry;
        private List<Double> durationBuckets = RpcAttributes.DEFAULT_DURATION_BUCKETS;
        private int maxMethodNames = 100;
        private int maxErrorTypes = 100;

        private Builder(OpenTelemetry openTelemetry) {
            this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
        }

        /**
         * The bucket boundaries advised for both duration histograms, in seconds
         * (default {@link RpcAttributes#DEFAULT_DURATION_BUCKETS}, 10 µs to 100 s).
         * A view configured in the SDK overrides the advice.
         *
         * @param boundaries ascending, finite, not empty
         * @return this builder
         */
        public Builder durationBuckets(List<Double> boundaries) {
            List<Double> copy = List.copyOf(boundaries);
            if (copy.isEmpty()) {
                throw new IllegalArgumentException("durationBuckets must not be empty");
            }
            for (int i = 0; i < copy.size(); i++) {
                double b = copy.get(i);
                if (!Double.isFinite(b) || i > 0 && b <= copy.get(i - 1)) {
                    throw new IllegalArgumentException("durationBuckets must be finite and ascending: " + copy);
                }
            }
            this.durationBuckets = new ArrayList<>(copy);
            return this;
        }

        /**
         * How many distinct commands of calls this side makes are recorded as
         * themselves in {@code rpc.method} (default 100); later ones are
         * {@code _OTHER}, with the command in {@code rpc.method_original} on
         * their spans. (A served call's command is itself if it is exposed, else
         * {@code _OTHER}, whatever this says.)
         *
         * @param max at least 0
         * @return this builder
         */
        public Builder maxMethodNames(int max) {
            this.maxMethodNames = atLeastZero(max, "maxMethodNames");
            return this;
        }

        /**
         * How many distinct remote error types and exception classes are
         * recorded as themselves in {@code error.type} (default 100); later ones
         * are {@code _OTHER}.
         *
         * @param max at least 0
         * @return this builder
         */
        public Builder maxErrorTypes(int max) {
            this.maxErrorTypes = atLeastZero(max, "maxErrorTypes");
            return this;
        }

        /**
         * The telemetry, as configured.
         *
         * @return a new instance, with bounds of its own
         */
        public KaaRpcTelemetry build() {
            return new KaaRpcTelemetry(this);
        }

        private static int atLeastZero(int max, String name) {
            if (max < 0) {
                throw new IllegalArgumentException(name + " must be at least 0, got " + max);
            }
            return max;
        }
    }
}
