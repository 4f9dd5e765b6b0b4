package kaa.rpc.bench;

import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import kaa.rpc.Client;
import kaa.rpc.Expose;
import kaa.rpc.IncomingInterceptor;
import kaa.rpc.OutgoingInterceptor;
import kaa.rpc.Server;
import kaa.rpc.micrometer.KaaRpcObservations;
import kaa.rpc.opentelemetry.KaaRpcTelemetry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What interceptors cost a call: a small round trip over loopback TCP
 * ({@code client.rpc("echo", "x").get()}, server and client in this JVM) with
 * none, with a pass-through interceptor on both sides, with Micrometer
 * observations (a {@code SimpleMeterRegistry} behind
 * {@code DefaultMeterObservationHandler}) and with OpenTelemetry (the SDK,
 * every span exported at its end to an exporter that drops it, metrics to an
 * in-memory reader): the client's outgoing and the server's incoming
 * interceptor each time. Run with {@code -prof gc} for the allocation per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class InterceptorBenchmark {

    public static class Echo {
        @Expose
        public Object echo(Object x) {
            return x;
        }
    }

    /** Drops every span: the cost measured is the instrumentation's and the SDK's, not an export's. */
    static final class DroppingExporter implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    @Param({"none", "noop", "micrometer", "otel"})
    public String interceptors;

    private Server server;
    private Client client;
    private OpenTelemetrySdk sdk;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Server.Builder serverBuilder = Server.builder("127.0.0.1:0").secret("bench");
        OutgoingInterceptor outgoing = null;
        switch (interceptors) {
            case "none":
                break;
            case "noop":
                IncomingInterceptor passIn = (call, next) -> next.proceed(call);
                serverBuilder.interceptIncoming(passIn);
                outgoing = (call, next) -> next.proceed(call);
                break;
            case "micrometer":
                ObservationRegistry registry = ObservationRegistry.create();
                registry.observationConfig().observationHandler(
                        new DefaultMeterObservationHandler(new SimpleMeterRegistry()));
                KaaRpcObservations observations = KaaRpcObservations.create(registry);
                serverBuilder.interceptIncoming(observations.incoming());
                outgoing = observations.outgoing();
                break;
            case "otel":
                sdk = OpenTelemetrySdk.builder()
                        .setTracerProvider(SdkTracerProvider.builder()
                                .addSpanProcessor(SimpleSpanProcessor.create(new DroppingExporter())).build())
                        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(InMemoryMetricReader.create())
                                .build())
                        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                        .build();
                KaaRpcTelemetry telemetry = KaaRpcTelemetry.create(sdk);
                serverBuilder.interceptIncoming(telemetry.incoming());
                outgoing = telemetry.outgoing();
                break;
            default:
                throw new IllegalArgumentException("interceptors: none, noop, micrometer or otel, not " + interceptors);
        }
        server = serverBuilder.listen().register(new Echo());
        Client.Builder clientBuilder = Client.builder(server.address()).secret("bench");
        if (outgoing != null) {
            clientBuilder.interceptOutgoing(outgoing);
        }
        client = clientBuilder.connect();
        client.whenOpen().get(10, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
        server.close();
        if (sdk != null) {
            sdk.close();
        }
    }

    @Benchmark
    public Object roundTrip() throws Exception {
        return client.rpc("echo", "x").get();
    }
}
