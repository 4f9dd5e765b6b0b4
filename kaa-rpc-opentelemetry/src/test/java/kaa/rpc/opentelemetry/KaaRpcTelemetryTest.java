package kaa.rpc.opentelemetry;

import static kaa.rpc.opentelemetry.Fixtures.await;
import static kaa.rpc.opentelemetry.Fixtures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import kaa.rpc.CallRefusedException;
import kaa.rpc.Client;
import kaa.rpc.IncomingInterceptor;
import kaa.rpc.NotConnectedException;
import kaa.rpc.RemoteException;
import kaa.rpc.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spans and duration histograms of calls made and served, after the RPC
 * semantic conventions: every outcome, kinds by direction, one trace across
 * two Java peers and their nested calls, the caller's context left alone,
 * buckets that resolve microseconds, and unlinked spans with a Python peer.
 */
class KaaRpcTelemetryTest {

    /** Refuses {@code echo("forbidden")}, as an access check would. */
    private static final IncomingInterceptor REFUSE_FORBIDDEN = (call, next) -> {
        if (call.command().equals("echo") && call.args().equals(List.of("forbidden"))) {
            throw new CallRefusedException("forbidden");
        }
        return next.proceed(call);
    };

    /** The next two spans to end, a call's two, by kind. */
    private static Map<SpanKind, SpanData> bothSides(Telemetry telemetry) throws InterruptedException {
        Map<SpanKind, SpanData> byKind = new HashMap<>();
        for (SpanData span : telemetry.next(2)) {
            byKind.put(span.getKind(), span);
        }
        assertThat(byKind).containsOnlyKeys(SpanKind.CLIENT, SpanKind.SERVER);
        SpanData client = byKind.get(SpanKind.CLIENT);
        SpanData server = byKind.get(SpanKind.SERVER);
        // between two Java peers the server span is the client span's child, in its trace
        assertThat(server.getTraceId()).isEqualTo(client.getTraceId());
        assertThat(server.getParentSpanId()).isEqualTo(client.getSpanId());
        assertThat(server.getParentSpanContext().isRemote()).isTrue();
        return byKind;
    }

    /** "name method error.type" of a span, with "!" once per recorded exception and the status. */
    private static String summary(SpanData span) {
        Attributes a = span.getAttributes();
        long exceptions = span.getEvents().stream().filter(e -> e.getName().equals("exception")).count();
        String status = span.getStatus().getStatusCode() == StatusCode.ERROR ? "ERROR" : "-";
        return span.getName() + " " + a.get(RpcAttributes.RPC_METHOD) + " " + a.get(RpcAttributes.ERROR_TYPE) + " "
                + status + "!".repeat((int) exceptions);
    }

    private static MetricData metric(Telemetry telemetry, String name) {
        return telemetry.metrics.collectAllMetrics().stream().filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name));
    }

    @Test
    void everyOutcomeHasASpanOnEachSideAndAMeasurement() throws Exception {
        List<String> client = new ArrayList<>();
        List<String> server = new ArrayList<>();
        Fixtures.Service service = new Fixtures.Service();
        try (Telemetry telemetry = new Telemetry()) {
            KaaRpcTelemetry kaa = KaaRpcTelemetry.create(telemetry.sdk);
            try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(kaa.incoming())
                            .interceptIncoming(REFUSE_FORBIDDEN).listen().register(service);
                    Client c = Client.builder(s.address()).secret("s").interceptOutgoing(kaa.outgoing()).connect()) {
                await(c.whenOpen());
                int port = Integer.parseInt(s.address().substring(s.address().lastIndexOf(':') + 1));
                assertThat(await(c.rpc("echo", "x"))).isEqualTo("x");
                Map<SpanKind, SpanData> both = bothSides(telemetry);
                SpanData echo = both.get(SpanKind.CLIENT);
                assertThat(echo.getAttributes().get(RpcAttributes.RPC_SYSTEM_NAME)).isEqualTo("kaa_rpc");
                assertThat(echo.getAttributes().get(RpcAttributes.SERVER_ADDRESS)).isEqualTo("127.0.0.1");
                assertThat(echo.getAttributes().get(RpcAttributes.SERVER_PORT)).isEqualTo(port);
                assertThat(echo.getAttributes().get(RpcAttributes.NETWORK_PEER_ADDRESS)).isEqualTo("127.0.0.1");
                assertThat(echo.getAttributes().get(RpcAttributes.NETWORK_PEER_PORT)).isEqualTo(port);
                assertThat(echo.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
                SpanData served = both.get(SpanKind.SERVER);
                assertThat(served.getAttributes().get(RpcAttributes.SERVER_ADDRESS)).isNull();
                assertThat(served.getAttributes().get(RpcAttributes.NETWORK_PEER_PORT)).isNotNull()
                        .isNotEqualTo(port);
                client.add(summary(echo));
                server.add(summary(served));

                for (Object[] call : List.of(new Object[] {"fail", "no"}, new Object[] {"nosuch"},
                        new Object[] {"echo", "forbidden"}, new Object[] {"add", 1})) { // one after the other
                    assertThat(failure(c.rpc((String) call[0], Arrays.copyOfRange(call, 1, call.length))))
                            .isInstanceOf(RemoteException.class);
                    both = bothSides(telemetry);
                    client.add(summary(both.get(SpanKind.CLIENT)));
                    server.add(summary(both.get(SpanKind.SERVER)));
                    if (call[0].equals("fail")) {
                        assertThat(both.get(SpanKind.SERVER).getStatus().getDescription()).isEqualTo("no");
                        assertThat(both.get(SpanKind.CLIENT).getStatus().getDescription())
                                .as("the remote message, not the traceback").isEqualTo("no");
                    } else if (call[0].equals("nosuch")) {
                        assertThat(both.get(SpanKind.SERVER).getAttributes().get(RpcAttributes.RPC_METHOD_ORIGINAL))
                                .isEqualTo("nosuch");
                        assertThat(both.get(SpanKind.CLIENT).getAttributes().get(RpcAttributes.RPC_METHOD_ORIGINAL))
                                .isNull();
                    }
                }

                CompletableFuture<Object> cancelled = c.rpc("block");
                assertThat(service.blockStarted.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(cancelled.cancel(true)).isTrue();
                both = bothSides(telemetry);
                client.add(summary(both.get(SpanKind.CLIENT)));
                server.add(summary(both.get(SpanKind.SERVER)));

                assertThat(failure(c.withTimeout(Duration.ofMillis(100)).rpc("block")))
                        .isInstanceOf(TimeoutException.class);
                both = bothSides(telemetry);
                client.add(summary(both.get(SpanKind.CLIENT)));
                server.add(summary(both.get(SpanKind.SERVER)));

                c.close();
                assertThat(failure(c.rpc("echo", 1))).isInstanceOf(NotConnectedException.class);
                client.add(summary(telemetry.next(1).get(0)));
            }
            Fixtures.Service other = new Fixtures.Service();
            Server s2 = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(kaa.incoming()).listen()
                    .register(other);
            try (Client c2 = Client.builder(s2.address()).secret("s").interceptOutgoing(kaa.outgoing()).connect()) {
                CompletableFuture<Object> lost = c2.rpc("block");
                assertThat(other.blockStarted.await(10, TimeUnit.SECONDS)).isTrue();
                s2.close();
                assertThat(failure(lost)).isInstanceOf(NotConnectedException.class);
                Map<SpanKind, SpanData> both = bothSides(telemetry);
                client.add(summary(both.get(SpanKind.CLIENT)));
                server.add(summary(both.get(SpanKind.SERVER)));
            }
            assertThat(client).containsExactly("echo echo null -",
                    "fail fail java.lang.IllegalStateException ERROR!",
                    "nosuch nosuch KeyError ERROR!",
                    "echo echo RuntimeError ERROR!",
                    "add add TypeError ERROR!",
                    "block block java.util.concurrent.CancellationException ERROR!",
                    "block block java.util.concurrent.TimeoutException ERROR!",
                    "echo echo kaa.rpc.NotConnectedException ERROR!",
                    "block block kaa.rpc.NotConnectedException ERROR!");
            assertThat(server).containsExactly("echo echo null -",
                    "fail fail java.lang.IllegalStateException ERROR!",
                    "kaa_rpc _OTHER KeyError ERROR!",
                    "echo echo RuntimeError ERROR!",
                    "add add TypeError ERROR!",
                    "block block java.util.concurrent.CancellationException ERROR!",
                    "block block java.util.concurrent.CancellationException ERROR!",
                    "block block java.util.concurrent.CancellationException ERROR!");
            assertThat(telemetry.nothingMoreEnded()).isTrue();
            assertThat(telemetry.spans.getFinishedSpanItems()).hasSize(17);

            // one measurement per call, with the span's method and error type
            MetricData clientDuration = metric(telemetry, RpcAttributes.CLIENT_CALL_DURATION);
            assertThat(clientDuration.getType()).isEqualTo(MetricDataType.HISTOGRAM);
            assertThat(clientDuration.getUnit()).isEqualTo("s");
            List<HistogramPointData> points = new ArrayList<>(clientDuration.getHistogramData().getPoints());
            assertThat(points.stream().mapToLong(HistogramPointData::getCount).sum()).isEqualTo(9);
            assertThat(points).allSatisfy(p -> {
                assertThat(p.getBoundaries()).isEqualTo(RpcAttributes.DEFAULT_DURATION_BUCKETS.subList(0,
                        RpcAttributes.DEFAULT_DURATION_BUCKETS.size()));
                assertThat(p.getAttributes().get(RpcAttributes.RPC_SYSTEM_NAME)).isEqualTo("kaa_rpc");
                assertThat(p.getAttributes().get(RpcAttributes.SERVER_ADDRESS)).isEqualTo("127.0.0.1");
                assertThat(p.getAttributes().get(RpcAttributes.NETWORK_PEER_ADDRESS)).isNull(); // spans only
                assertThat(p.getAttributes().get(RpcAttributes.RPC_METHOD_ORIGINAL)).isNull();
            });
            HistogramPointData ok = points.stream()
                    .filter(p -> p.getAttributes().get(RpcAttributes.ERROR_TYPE) == null).findFirst().orElseThrow();
            assertThat(ok.getAttributes().get(RpcAttributes.RPC_METHOD)).isEqualTo("echo");
            assertThat(ok.getCount()).isEqualTo(1);
            // a call on one machine lands below a millisecond, in a bucket of its own, not in the first of 5 ms
            assertThat(ok.getMax()).isLessThan(1.0);
            MetricData serverDuration = metric(telemetry, RpcAttributes.SERVER_CALL_DURATION);
            List<HistogramPointData> served = new ArrayList<>(serverDuration.getHistogramData().getPoints());
            assertThat(served.stream().mapToLong(HistogramPointData::getCount).sum()).isEqualTo(8);
            assertThat(served).allSatisfy(p -> assertThat(p.getAttributes().get(RpcAttributes.SERVER_ADDRESS))
                    .isNull());
            assertThat(served).anySatisfy(p -> {
                assertThat(p.getAttributes().get(RpcAttributes.RPC_METHOD)).isEqualTo("_OTHER");
                assertThat(p.getAttributes().get(RpcAttributes.ERROR_TYPE)).isEqualTo("KeyError");
            });
        }
    }

    @Test
    void oneTraceGoesThroughNestedCallsBothWays() throws Exception {
        try (Telemetry telemetry = new Telemetry()) {
            KaaRpcTelemetry kaa = KaaRpcTelemetry.create(telemetry.sdk);
            try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(kaa.incoming())
                            .interceptOutgoing(kaa.outgoing()).listen().register(new Fixtures.Service());
                    Client c = Client.builder(s.address()).secret("s").interceptOutgoing(kaa.outgoing())
                            .interceptIncoming(kaa.incoming()).register(new Fixtures.Service()).connect()) {
                await(c.whenOpen());
                // the client calls relay; the server, inside it, calls the client's echo
                assertThat(await(c.rpc("relay", "echo", "back"))).isEqualTo("back");
                List<SpanData> spans = telemetry.next(4);
                Map<String, SpanData> byRole = new HashMap<>();
                for (SpanData span : spans) {
                    byRole.put(span.getKind() + " " + span.getName(), span);
                }
                assertThat(byRole).containsOnlyKeys("CLIENT relay", "SERVER relay", "CLIENT echo", "SERVER echo");
                SpanData outer = byRole.get("CLIENT relay");
                SpanData relay = byRole.get("SERVER relay");
                SpanData nested = byRole.get("CLIENT echo");
                SpanData echo = byRole.get("SERVER echo");
                assertThat(spans).extracting(SpanData::getTraceId).containsOnly(outer.getTraceId());
                assertThat(outer.getParentSpanContext().isValid()).isFalse();
                assertThat(relay.getParentSpanId()).isEqualTo(outer.getSpanId());
                assertThat(nested.getParentSpanId()).isEqualTo(relay.getSpanId());
                assertThat(nested.getParentSpanContext().isRemote()).isFalse(); // the server span was current
                assertThat(echo.getParentSpanId()).isEqualTo(nested.getSpanId());
                // the server calls its client: a CLIENT span whose server.address is the client's address
                InetSocketAddress clientSide = (InetSocketAddress) s.channels().iterator().next().remoteAddress();
                assertThat(nested.getAttributes().get(RpcAttributes.SERVER_PORT)).isEqualTo(clientSide.getPort());
            }
        }
    }

    @Test
    void theCallersContextStaysTheCallersAndCallbacksSeeItNeverTheClientSpan() throws Exception {
        try (Telemetry telemetry = new Telemetry()) {
            KaaRpcTelemetry kaa = KaaRpcTelemetry.create(telemetry.sdk);
            try (Server s = Server.builder("127.0.0.1:0").secret("s").listen().register(new Fixtures.Service());
                    Client c = Client.builder(s.address()).secret("s").interceptOutgoing(kaa.outgoing()).connect()) {
                await(c.whenOpen());
                Span caller = telemetry.sdk.getTracer("test").spanBuilder("caller").startSpan();
                AtomicReference<SpanContext> inCallback = new AtomicReference<>();
                AtomicReference<SpanContext> inWrappedCallback = new AtomicReference<>();
                AtomicReference<SpanContext> inCallbackAfter = new AtomicReference<>();
                try (Scope scope = caller.makeCurrent()) {
                    CompletableFuture<Object> f = c.rpc("echo", 1);
                    assertThat(Span.current().getSpanContext()).isEqualTo(caller.getSpanContext());
                    CompletableFuture<Object> plain = f.whenComplete(
                            (v, e) -> inCallback.set(Span.current().getSpanContext()));
                    // a callback of a future made from it, too
                    CompletableFuture<Object> chained = f.thenApply(v -> v).whenComplete(
                            (v, e) -> inWrappedCallback.set(Span.current().getSpanContext()));
                    await(plain);
                    await(chained);
                    await(f.whenComplete((v, e) -> inCallbackAfter.set(Span.current().getSpanContext())));
                    assertThat(Span.current().getSpanContext()).isEqualTo(caller.getSpanContext());
                } finally {
                    caller.end();
                }
                SpanData clientSpan = telemetry.next(1).get(0);
                assertThat(clientSpan.getKind()).isEqualTo(SpanKind.CLIENT);
                assertThat(clientSpan.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
                // the future's dependents run on the channel's executor in the caller's context, never the client span
                assertThat(inCallback.get()).isEqualTo(caller.getSpanContext());
                assertThat(inCallbackAfter.get()).isEqualTo(caller.getSpanContext());
                assertThat(inWrappedCallback.get()).isEqualTo(caller.getSpanContext());
                // and no context leaks to the executor's thread afterwards
                assertThat(c.rpc("echo", 2).thenApply(v -> Span.current().getSpanContext().isValid())
                        .get(10, java.util.concurrent.TimeUnit.SECONDS)).isFalse();
            }
        }
    }

    @Test
    void aConfiguredAddressIsHostAndPortOrAPath() {
        Map<String, Attributes> seen = new HashMap<>();
        for (String address : List.of("example.com:4000", "[::1]:4000", "/run/kaa.sock", "rel/a:b.sock")) {
            io.opentelemetry.api.common.AttributesBuilder b = Attributes.builder();
            KaaRpcTelemetry.configuredAddress(b, address);
            seen.put(address, b.build());
        }
        assertThat(seen.get("example.com:4000")).isEqualTo(Attributes.of(RpcAttributes.SERVER_ADDRESS, "example.com",
                RpcAttributes.SERVER_PORT, 4000L));
        assertThat(seen.get("[::1]:4000")).isEqualTo(Attributes.of(RpcAttributes.SERVER_ADDRESS, "::1",
                RpcAttributes.SERVER_PORT, 4000L));
        assertThat(seen.get("/run/kaa.sock")).isEqualTo(Attributes.of(RpcAttributes.SERVER_ADDRESS, "/run/kaa.sock"));
        assertThat(seen.get("rel/a:b.sock")).isEqualTo(Attributes.of(RpcAttributes.SERVER_ADDRESS, "rel/a:b.sock"));
    }

    @Test
    void commandsPastTheBoundAreOtherWithTheirOriginalNameAndBucketsAreConfigurable() throws Exception {
        try (Telemetry telemetry = new Telemetry()) {
            KaaRpcTelemetry kaa = KaaRpcTelemetry.builder(telemetry.sdk).maxMethodNames(1)
                    .durationBuckets(List.of(0.0001, 0.001, 0.01)).build();
            try (Server s = Server.builder("127.0.0.1:0").secret("s").listen().register(new Fixtures.Service());
                    Client c = Client.builder(s.address()).secret("s").interceptOutgoing(kaa.outgoing()).connect()) {
                assertThat(await(c.rpc("echo", 1))).isEqualTo(1);
                assertThat(await(c.rpc("add", 1, 2))).isEqualTo(3);
                List<SpanData> spans = telemetry.next(2);
                assertThat(spans.get(0).getName()).isEqualTo("echo");
                assertThat(spans.get(1).getName()).isEqualTo("kaa_rpc");
                assertThat(spans.get(1).getAttributes().get(RpcAttributes.RPC_METHOD)).isEqualTo("_OTHER");
                assertThat(spans.get(1).getAttributes().get(RpcAttributes.RPC_METHOD_ORIGINAL)).isEqualTo("add");
            }
            MetricData duration = metric(telemetry, RpcAttributes.CLIENT_CALL_DURATION);
            assertThat(duration.getHistogramData().getPoints()).hasSize(2).allSatisfy(p -> {
                assertThat(p.getBoundaries()).containsExactly(0.0001, 0.001, 0.01);
                assertThat(p.getCounts()).hasSize(4);
            });
        }
        assertThatThrownBy(() -> KaaRpcTelemetry.builder(io.opentelemetry.api.OpenTelemetry.noop())
                .durationBuckets(List.of(1.0, 0.5))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aUnixSocketsPathIsTheServerAddress(@TempDir Path dir) throws Exception {
        String path = dir.resolve("kaa.sock").toString();
        try (Telemetry telemetry = new Telemetry()) {
            KaaRpcTelemetry kaa = KaaRpcTelemetry.create(telemetry.sdk);
            try (Server s = Server.builder(path).secret("s").interceptIncoming(kaa.incoming()).listen()
                            .register(new Fixtures.Service());
                    Client c = Client.builder(path).secret("s").interceptOutgoing(kaa.outgoing()).connect()) {
                await(c.whenOpen());
                assertThat(await(c.rpc("echo", 1))).isEqualTo(1);
                SpanData span = bothSides(telemetry).get(SpanKind.CLIENT);
                assertThat(span.getAttributes().get(RpcAttributes.SERVER_ADDRESS)).isEqualTo(path);
                assertThat(span.getAttributes().get(RpcAttributes.SERVER_PORT)).isNull();
            }
        }
    }

    @Test
    void aPythonPeersSpansAreNotLinked(@TempDir Path dir) throws Exception {
        try (Telemetry telemetry = new Telemetry()) {
            KaaRpcTelemetry kaa = KaaRpcTelemetry.create(telemetry.sdk);
            try (Fixtures.PythonPeer python = Fixtures.PythonPeer.serve(dir, "sekrit");
                    Client c = Client.builder(python.address()).secret("sekrit").interceptOutgoing(kaa.outgoing())
                            .connect()) {
                assertThat(await(c.rpc("echo", "hi"))).isEqualTo("hi");
                assertThat(((RemoteException) failure(c.rpc("fail", "boom"))).remoteType()).isEqualTo("ValueError");
                List<SpanData> spans = telemetry.next(2);
                assertThat(spans).extracting(KaaRpcTelemetryTest::summary)
                        .containsExactly("echo echo null -", "fail fail ValueError ERROR!");
                assertThat(spans).allSatisfy(span -> assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT));
            }
            try (Server s = Server.builder("127.0.0.1:0").secret("sekrit").interceptIncoming(kaa.incoming())
                    .listen().register(new Fixtures.Service())) {
                assertThat(Fixtures.PythonPeer.run(dir, "call", s.address(), "sekrit", "add", "2", "3"))
                        .containsExactly("add 5");
                SpanData served = telemetry.next(1).get(0);
                assertThat(served.getKind()).isEqualTo(SpanKind.SERVER);
                assertThat(served.getName()).isEqualTo("add");
                assertThat(served.getParentSpanContext().isValid()).isFalse(); // a trace of its own
                assertThat(served.getAttributes().get(AttributeKey.stringKey("rpc.system.name"))).isEqualTo("kaa_rpc");
            }
        }
    }
}
