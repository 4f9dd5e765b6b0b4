package kaa.rpc.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import kaa.rpc.Client;
import kaa.rpc.Expose;
import kaa.rpc.Server;
import org.junit.jupiter.api.Test;

/** README's "Observability", OpenTelemetry: the example as written, and what it promises to record. */
class ReadmeExampleTest {

    public static class Media {
        @Expose("do_something")
        public int myFunction(int foo) {
            return foo * 7;
        }
    }

    @Test
    void theReadmeExampleMakesOneTraceOfAClientAndAServerSpan() throws Exception {
        try (Telemetry sdk = new Telemetry()) {
            OpenTelemetry openTelemetry = sdk.sdk;   // or an OpenTelemetrySdk you build
            KaaRpcTelemetry telemetry = KaaRpcTelemetry.create(openTelemetry);

            try (Server server = Server.builder("127.0.0.1:0").secret("s")
                            .interceptIncoming(telemetry.incoming()).interceptOutgoing(telemetry.outgoing())
                            .listen().register(new Media());
                    Client client = Client.builder(server.address()).secret("s")
                            .interceptOutgoing(telemetry.outgoing()).interceptIncoming(telemetry.incoming())
                            .connect()) {
                assertThat(client.rpc("do_something", 6).join()).isEqualTo(42);
                List<SpanData> spans = sdk.next(2);
                SpanData clientSpan = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst()
                        .orElseThrow();
                SpanData serverSpan = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst()
                        .orElseThrow();
                assertThat(clientSpan.getName()).isEqualTo("do_something");
                assertThat(serverSpan.getName()).isEqualTo("do_something");
                assertThat(serverSpan.getTraceId()).isEqualTo(clientSpan.getTraceId());
                assertThat(serverSpan.getParentSpanId()).isEqualTo(clientSpan.getSpanId());
            }
        }
    }
}
