package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** A one-way call's failure is consumed and logged once; alone, so that no other test's one-way calls count. */
@Isolated
class OneWayFailureTest {

    @Test
    void aOneWayCallReturnsAtOnceAndItsFailureIsLoggedNotThrown() throws Exception {
        TypedServiceTest.JobsImpl impl = new TypedServiceTest.JobsImpl();
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(impl).listen();
                Client client = Client.connect(server.address(), "s")) {
            TypedServiceTest.Jobs jobs = client.proxy(TypedServiceTest.Jobs.class);
            assertThat(jobs.run("ok")).isEqualTo(2);
            long logged = Channel.ONE_WAY_FAILED.count();
            jobs.progress(-5); // returns while the method waits on the server
            assertThat(impl.progressStarted.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(impl.lastProgress).hasValue(-1);
            assertThat(client.session.callsInFlight()).isOne(); // the answer is still awaited
            impl.progressMayEnd.countDown();
            // the answer (an error) comes and is consumed
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((client.session.callsInFlight() > 0 || Channel.ONE_WAY_FAILED.count() == logged)
                    && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertThat(impl.lastProgress).hasValue(-5);
            assertThat(client.session.callsInFlight()).isZero();
            assertThat(Channel.ONE_WAY_FAILED.count()).isEqualTo(logged + 1);
            // a one-way call that succeeds logs nothing, and the channel goes on
            jobs.progress(60);
            assertThat(jobs.run("ok")).isEqualTo(2);
            assertThat(Channel.ONE_WAY_FAILED.count()).isEqualTo(logged + 1);
        }
    }
}
