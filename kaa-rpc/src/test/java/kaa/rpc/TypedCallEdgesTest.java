package kaa.rpc;

import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edges of waiting for ready, declared exceptions, the remoteErrors hook and one-way calls. */
class TypedCallEdgesTest {

    @TempDir
    Path dir;

    public interface Echo {
        @Expose
        String echo(String s);
    }

    /** Declares InterruptedException and TimeoutException for their local meaning, as the README describes. */
    public interface Worker {
        @Expose
        int work() throws InterruptedException, TimeoutException;
    }

    public static class WorkerImpl implements Worker {
        final String which;

        WorkerImpl(String which) {
            this.which = which;
        }

        @Override
        public int work() throws InterruptedException, TimeoutException {
            if (which.equals("interrupted")) {
                throw new InterruptedException("the server is shutting down"); // the server's thread, not ours
            }
            throw new TimeoutException("the server's own database call timed out");
        }
    }

    public interface Hang {
        @Expose
        CompletableFuture<Object> hang();
    }

    public static class HangImpl implements Hang {
        @Override
        public CompletableFuture<Object> hang() {
            return new CompletableFuture<>(); // never answers
        }
    }

    /**
     * A blocking proxy method's implicit 60 s is its own time-out: the ready
     * time-out still bounds its wait for the connection.
     */
    @Test
    void aBlockingProxyCallWithoutATimeOutWaitsForReadyNoLongerThanTheReadyTimeout() throws Exception {
        String address = Peers.Transport.TCP.fixedAddress(dir); // nobody ever listens
        try (Client client = Client.builder(address).secret("s").retry(Duration.ofMillis(50)).waitForReady()
                .readyTimeout(Duration.ofMillis(200)).connect()) {
            Echo echo = client.proxy(Echo.class);
            CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> catchThrowable(() -> echo.echo("x")));
            assertThat(outcome).as("readyTimeout is 200 ms: the blocking call fails well within 10 s")
                    .succeedsWithin(Duration.ofSeconds(10))
                    .satisfies(t -> assertThat(t).isInstanceOf(CallFailedException.class)
                            .hasCauseInstanceOf(NotConnectedException.class));
        }
    }

    /** A call whose own time-out comes before the ready time-out fails at it, saying it was never sent. */
    @Test
    void aTimedCallThatWaitedForReadyInVainFailsAtItsTimeOutSayingItWasNeverSent() throws Exception {
        String address = Peers.Transport.TCP.fixedAddress(dir);
        try (Client client = Client.builder(address).secret("s").retry(Duration.ofMillis(50)).connect()) {
            CompletableFuture<Object> call = client.waitingForReady().withTimeout(Duration.ofMillis(200))
                    .rpc("echo", "x");
            assertThat(failure(call)).isInstanceOf(TimeoutException.class).hasMessageContaining("never sent");
        }
    }

    /** And one whose ready time-out comes first fails at that. */
    @Test
    void aTimedCallWhoseReadyTimeOutComesFirstFailsAtThat() throws Exception {
        String address = Peers.Transport.TCP.fixedAddress(dir);
        try (Client client = Client.builder(address).secret("s").retry(Duration.ofMillis(50))
                .readyTimeout(Duration.ofMillis(100)).connect()) {
            CompletableFuture<Object> call = client.withTimeout(Duration.ofSeconds(30)).rpc("echo", "x");
            assertThat(failure(call)).isInstanceOf(NotConnectedException.class)
                    .hasMessageContaining("waited 100 ms for the connection to open, and was never sent");
        }
    }

    /**
     * A peer's InterruptedException or TimeoutException is never thrown as
     * ours: those say our caller was interrupted, or our call timed out.
     */
    @Test
    void aPeersInterruptedExceptionIsNotThrownAsOurCallersInterruption() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new WorkerImpl("interrupted"))
                .listen(); Client client = Client.connect(server.address(), "s")) {
            Worker worker = client.proxy(Worker.class);
            Throwable thrown = catchThrowable(worker::work);
            assertThat(thrown).as("the caller was not interrupted: a remote error is no local interruption")
                    .isNotInstanceOf(InterruptedException.class);
        }
    }

    @Test
    void aPeersTimeoutExceptionIsNotThrownAsOurCallsTimeOut() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new WorkerImpl("timeout")).listen();
                Client client = Client.connect(server.address(), "s")) {
            Worker worker = client.proxy(Worker.class);
            Throwable thrown = catchThrowable(worker::work);
            assertThat(thrown).as("our call did not time out: the peer answered, with an error")
                    .isNotInstanceOf(TimeoutException.class);
        }
    }

    /** A hook that rethrows the remote error it was given ("not mine") throws that remote error. */
    @Test
    void aHookThatRethrowsTheRemoteErrorThrowsThatRemoteError() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new TypedServiceTest.JobsImpl())
                .listen();
                Client client = Client.builder(server.address()).secret("s")
                        .remoteErrors(e -> {
                            throw e;
                        }).connect()) {
            TypedServiceTest.Jobs jobs = client.proxy(TypedServiceTest.Jobs.class);
            Throwable thrown = catchThrowable(() -> jobs.undeclared("x"));
            assertThat(thrown).isInstanceOf(RemoteException.class);
        }
    }

    /** The asynchronous form of a command fails as its blocking form does: callers pick either. */
    @Test
    void theAsynchronousFormFailsWithTheSameDeclaredExceptionAsTheBlockingForm() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new TypedServiceTest.JobsImpl())
                .listen(); Client client = Client.connect(server.address(), "s")) {
            TypedServiceTest.Jobs jobs = client.proxy(TypedServiceTest.Jobs.class);
            assertThat(catchThrowable(() -> jobs.run("bad"))).isInstanceOf(TypedServiceTest.JobFailedException.class);
            assertThat(failure(jobs.runAsync("bad"))).isInstanceOf(TypedServiceTest.JobFailedException.class);
        }
    }

    /**
     * A one-way call without a time-out still has a deadline: a peer that
     * reads and never answers does not make us hold its calls for ever.
     */
    @Test
    void aOneWayCallWithoutACallTimeoutStillHasADeadline() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new HangImpl()).listen();
                Client client = Client.connect(server.address(), "s")) {
            Peers.await(client.whenOpen());
            client.tell("hang");
            Method pendingOf = kaa.rpc.internal.session.Session.class.getDeclaredMethod("pending");
            pendingOf.setAccessible(true);
            Map<?, ?> pending = (Map<?, ?>) pendingOf.invoke(client.session);
            assertThat(pending).hasSize(1);
            Object call = pending.values().iterator().next();
            Field timer = call.getClass().getDeclaredField("timer");
            timer.setAccessible(true);
            assertThat(timer.get(call)).as("the one-way call's deadline").isNotNull();
        }
    }
}
