package kaa.rpc.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import kaa.rpc.Client;
import kaa.rpc.Expose;
import kaa.rpc.Server;
import org.junit.jupiter.api.Test;

/** README's "Observability", Micrometer: the example as written, and what it promises to record. */
class ReadmeExampleTest {

    public static class Media {
        @Expose("do_something")
        public int myFunction(int foo) {
            return foo * 7;
        }
    }

    @Test
    void theReadmeExampleRecordsBothSidesOfTheCall() throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();          // Prometheus's, or any other
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        KaaRpcObservations observations = KaaRpcObservations.create(registry);

        try (Server server = Server.builder("127.0.0.1:0").secret("s")
                        .interceptIncoming(observations.incoming()).interceptOutgoing(observations.outgoing())
                        .listen().register(new Media());
                Client client = Client.builder(server.address()).secret("s")
                        .interceptOutgoing(observations.outgoing()).interceptIncoming(observations.incoming())
                        .connect()) {
            assertThat(client.rpc("do_something", 6).join()).isEqualTo(42);
            Timer made = meters.find("kaa.rpc.client").tag("rpc.method", "do_something").tag("outcome", "SUCCESS")
                    .tag("rpc.system", "kaa_rpc").tag("error.type", "none").timer();
            assertThat(made).isNotNull();
            assertThat(made.count()).isEqualTo(1);
            // the server's observation stops before its answer is sent: it is there once the caller has the answer
            Timer served = meters.find("kaa.rpc.server").tag("rpc.method", "do_something").tag("outcome", "SUCCESS")
                    .timer();
            assertThat(served).isNotNull();
            assertThat(served.count()).isEqualTo(1);
            assertThat(meters.find("kaa.rpc.client.active").longTaskTimer()).isNotNull();
        }
    }
}
