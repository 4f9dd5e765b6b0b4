package kaa.rpc.opentelemetry;

import static kaa.rpc.opentelemetry.Fixtures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.List;
import kaa.rpc.Client;
import kaa.rpc.Expose;
import kaa.rpc.RemoteException;
import kaa.rpc.Server;
import org.junit.jupiter.api.Test;

/** What a peer sends that a span keeps after its call: bounded whatever its size. */
class KaaRpcTelemetryBoundsTest {

    @Test
    void anUnknownCommandOfAMegabyteIsKeptCutInItsServerSpan() throws Exception {
        try (Telemetry telemetry = new Telemetry()) {
            KaaRpcTelemetry kaa = KaaRpcTelemetry.create(telemetry.sdk);
            try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(kaa.incoming()).listen()
                            .register(new Fixtures.Service());
                    Client c = Client.builder(s.address()).secret("s").connect()) {
                String command = "n".repeat(1 << 20);
                assertThat(failure(c.rpc(command))).isInstanceOf(RemoteException.class);
                SpanData span = telemetry.next(1).get(0);
                assertThat(span.getAttributes().get(RpcAttributes.RPC_METHOD)).isEqualTo(RpcAttributes.OTHER);
                String original = span.getAttributes().get(RpcAttributes.RPC_METHOD_ORIGINAL);
                assertThat(original).startsWith("nnnn");
                assertThat(original.length()).isLessThanOrEqualTo(300);
                assertThat(span.getStatus().getDescription().length()).isLessThanOrEqualTo(300);
            }
        }
    }

    /** A server that passes on a remote error whose traceback is 256 frames of 300-character texts. */
    public static class LongTraceback {
        @Expose
        public void fail() {
            String text = "t".repeat(300);
            List<RemoteException.Frame> frames = new ArrayList<>();
            for (int i = 0; i < 256; i++) {
                frames.add(new RemoteException.Frame(text, i, text, text));
            }
            throw new RemoteException("far", "ValueError", "m".repeat(5_000), frames);
        }
    }

    @Test
    void aRemoteErrorsLongTracebackAndMessageStayOutOfTheSpan() throws Exception {
        try (Telemetry telemetry = new Telemetry()) {
            KaaRpcTelemetry kaa = KaaRpcTelemetry.create(telemetry.sdk);
            try (Server s = Server.builder("127.0.0.1:0").secret("s").listen().register(new LongTraceback());
                    Client c = Client.builder(s.address()).secret("s").interceptOutgoing(kaa.outgoing()).connect()) {
                assertThat(failure(c.rpc("fail"))).isInstanceOf(RemoteException.class);
                SpanData span = telemetry.next(1).get(0);
                String description = span.getStatus().getDescription();
                assertThat(description).startsWith("mmm").endsWith("...").doesNotContain("ttt");
                assertThat(description.length()).isLessThanOrEqualTo(300);
                assertThat(span.getEvents()).hasSize(1);
                EventData exception = span.getEvents().get(0);
                assertThat(exception.getAttributes().get(RpcAttributes.EXCEPTION_MESSAGE)).isEqualTo(description);
                long size = description.length();
                for (Object v : exception.getAttributes().asMap().values()) {
                    size += String.valueOf(v).length();
                }
                assertThat(size).as("what the span holds of the error").isLessThan(20_000);
            }
        }
    }

    @Test
    void callsAServerMakesBackToItsClientsMakeOneSeriesNotOneAClient() throws Exception {
        int clients = 20;
        try (Telemetry telemetry = new Telemetry()) {
            KaaRpcTelemetry kaa = KaaRpcTelemetry.create(telemetry.sdk);
            try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptOutgoing(kaa.outgoing()).listen()
                    .register(new Fixtures.Service())) {
                for (int i = 0; i < clients; i++) {
                    try (Client c = Client.builder(s.address()).secret("s").register(new Fixtures.Service())
                            .connect()) {
                        assertThat(Fixtures.await(c.rpc("relay", "echo", "back"))).isEqualTo("back");
                    }
                }
                List<SpanData> spans = telemetry.next(clients);
                assertThat(spans).allSatisfy(span -> assertThat(span.getAttributes().get(RpcAttributes.SERVER_PORT))
                        .as("the span names the client it called").isNotNull());
                MetricData duration = telemetry.metrics.collectAllMetrics().stream()
                        .filter(d -> d.getName().equals("rpc.client.call.duration")).findFirst().orElseThrow();
                assertThat(duration.getHistogramData().getPoints()).hasSize(1).allSatisfy(p -> {
                    assertThat(p.getAttributes().get(RpcAttributes.SERVER_PORT)).isNull();
                    assertThat(p.getCount()).isEqualTo(clients);
                });
            }
        }
    }
}
