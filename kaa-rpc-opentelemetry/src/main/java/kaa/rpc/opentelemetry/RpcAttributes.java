package kaa.rpc.opentelemetry;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * Every attribute key, value and instrument name this module writes, in one
 * place: those of the OpenTelemetry RPC semantic conventions
 * v{@value #SEMCONV_VERSION}, where RPC spans, metrics and attributes are a
 * <b>release candidate, not stable</b>. Names may still move in a later
 * version of the conventions (as {@code rpc.response.status_code} did after
 * it); when they do, they change here.
 */
public final class RpcAttributes {

    /** The version of the semantic conventions followed. */
    public static final String SEMCONV_VERSION = "1.44.0";

    /** The instrumentation scope of the tracer and meter. */
    public static final String INSTRUMENTATION_SCOPE = "io.github.kaarpc.kaa-rpc-opentelemetry";

    /** {@code rpc.system.name}, on every span and measurement: {@value #KAA_RPC}. */
    public static final AttributeKey<String> RPC_SYSTEM_NAME = AttributeKey.stringKey("rpc.system.name");

    /**
     * {@code rpc.method}, on every span and measurement: the command, or {@value #OTHER}
     * for one not recognised (a served call of an unknown command, a call made
     * past the first distinct names).
     */
    public static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");

    /** {@code rpc.method_original}: the command as called (cut at 200 characters), on spans whose {@code rpc.method} is {@value #OTHER}. */
    public static final AttributeKey<String> RPC_METHOD_ORIGINAL = AttributeKey.stringKey("rpc.method_original");

    /**
     * {@code error.type}, on failed calls only, span and measurement alike: the
     * remote Python type of a remote error (a Java peer's exception class name),
     * the Python builtin of a refusal ({@code KeyError} for an unknown command),
     * or this side's exception class name; remote types and other exception
     * classes past the first distinct ones are {@value #OTHER}.
     */
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    /**
     * {@code server.address}, on client spans and measurements: a client's host as configured; a Unix
     * socket's path. A server calling back its client has it on its spans only, as the connection's
     * remote host: one of many clients, which would make a series each.
     */
    public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");

    /** {@code server.port}, over TCP, where {@link #SERVER_ADDRESS} is. */
    public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");

    /**
     * {@code exception.message}, on a failed call's exception event: the start of the error's message
     * ({@link KaaRpcTelemetry#MAX_ORIGINAL} characters; a remote error's own, without its traceback), as
     * in the span's status (the event's {@code exception.stacktrace} is this side's).
     */
    public static final AttributeKey<String> EXCEPTION_MESSAGE = AttributeKey.stringKey("exception.message");

    /** {@code network.peer.address}, on spans: the peer's IP address, or a Unix socket's path. */
    public static final AttributeKey<String> NETWORK_PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");

    /** {@code network.peer.port}, on spans over TCP. */
    public static final AttributeKey<Long> NETWORK_PEER_PORT = AttributeKey.longKey("network.peer.port");

    /** The value of {@code rpc.system.name}, and the name of a span whose method is {@value #OTHER}. */
    public static final String KAA_RPC = "kaa_rpc";

    /** The value of {@code rpc.method} (and {@code error.type}) past its bound. */
    public static final String OTHER = "_OTHER";

    /** The histogram of calls this side makes: {@value}, in seconds. */
    public static final String CLIENT_CALL_DURATION = "rpc.client.call.duration";

    /** The histogram of calls this side serves: {@value}, in seconds. */
    public static final String SERVER_CALL_DURATION = "rpc.server.call.duration";

    /** The unit of both histograms. */
    public static final String DURATION_UNIT = "s";

    /**
     * The default bucket boundaries of both histograms, in seconds: gRPC's
     * (gRFC A66), from 10 µs to 100 s. A loopback call takes tens of
     * microseconds; the conventions' advice starts at 5 ms, where all of them
     * would fall into the first bucket.
     */
    public static final List<Double> DEFAULT_DURATION_BUCKETS = List.of(0.0, 0.00001, 0.00005, 0.0001, 0.0003,
            0.0006, 0.0008, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01, 0.013, 0.016, 0.02, 0.025, 0.03,
            0.04, 0.05, 0.065, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5, 0.65, 0.8, 1.0, 2.0, 5.0, 10.0, 20.0,
            50.0, 100.0);

    private RpcAttributes() {
    }
}
