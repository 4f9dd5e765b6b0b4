package kaa.rpc.opentelemetry;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An SDK that keeps every span and metric in memory, and tells when spans end. */
final class Telemetry implements AutoCloseable {

    final InMemorySpanExporter spans = InMemorySpanExporter.create();
    final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final BlockingQueue<SpanData> ended = new LinkedBlockingQueue<>();
    final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .addSpanProcessor(new SpanProcessor() { // after the exporter's: a span ended is exported
                        @Override
                        public void onStart(Context parentContext, ReadWriteSpan span) {
                        }

                        @Override
                        public boolean isStartRequired() {
                            return false;
                        }

                        @Override
                        public void onEnd(ReadableSpan span) {
                            ended.add(span.toSpanData());
                        }

                        @Override
                        public boolean isEndRequired() {
                            return true;
                        }

                        @Override
                        public CompletableResultCode shutdown() {
                            return CompletableResultCode.ofSuccess();
                        }
                    }).build())
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();

    /** The next {@code n} spans to end, waiting at most {@link Fixtures#WAIT} for each. */
    List<SpanData> next(int n) throws InterruptedException {
        List<SpanData> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SpanData span = ended.poll(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (span == null) {
                throw new AssertionError("only " + i + " of " + n + " spans ended within " + Fixtures.WAIT + ": "
                        + list);
            }
            list.add(span);
        }
        return list;
    }

    boolean nothingMoreEnded() {
        return ended.isEmpty();
    }

    @Override
    public void close() {
        sdk.close();
    }
}
