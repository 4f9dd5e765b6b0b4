package kaa.rpc.opentelemetry;

import static kaa.rpc.opentelemetry.Fixtures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.trace.data.SpanData;
import kaa.rpc.Client;
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
}
