package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One interface serving a daemon and its UI: a blocking and an asynchronous
 * form of one command, declared exceptions, one-way calls.
 */
class TypedServiceTest {

    /** A checked exception a job may fail with; thrown on the caller's side as itself. */
    public static class JobFailedException extends Exception {
        public JobFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Declared, but cannot be made from a remote error: no (String) constructor. */
    public static class Unmakeable extends Exception {
        public Unmakeable(int code) {
            super("code " + code);
        }
    }

    public interface Jobs {
        @Expose
        int run(String job) throws JobFailedException;

        /** The asynchronous form of run: callers need not block; implementers need not write it. */
        @Expose("run")
        default CompletableFuture<Integer> runAsync(String job) {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return run(job);
                } catch (JobFailedException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        @Expose
        int strict(String job) throws Unmakeable;

        @Expose
        int undeclared(String job);

        @Expose(oneWay = true)
        void progress(int percent);
    }

    public static class JobsImpl implements Jobs {
        final CountDownLatch progressMayEnd = new CountDownLatch(1);
        final CountDownLatch progressStarted = new CountDownLatch(1);
        final AtomicInteger lastProgress = new AtomicInteger(-1);

        @Override
        public int run(String job) throws JobFailedException {
            if (job.equals("bad")) {
                throw new JobFailedException("job 'bad' failed", new IOException("disk gone"));
            }
            return job.length();
        }

        @Override
        public int strict(String job) throws Unmakeable {
            throw new Unmakeable(7);
        }

        @Override
        public int undeclared(String job) {
            throw new IllegalStateException("not declared: " + job);
        }

        @Override
        public void progress(int percent) {
            progressStarted.countDown();
            try {
                progressMayEnd.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lastProgress.set(percent);
            if (percent < 0) {
                throw new IllegalArgumentException("negative progress " + percent);
            }
        }
    }

    @Test
    void aBlockingAndAnAsynchronousFormOfOneCommandServeAndCallAsOne() throws Exception {
        JobsImpl impl = new JobsImpl();
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(impl).listen();
                Client client = Client.connect(server.address(), "s")) {
            Jobs jobs = client.proxy(Jobs.class);
            assertThat(jobs.run("four")).isEqualTo(4);
            // the default body is the implementer's; a proxy calls the peer's "run"
            assertThat(jobs.runAsync("seven!!").get(10, TimeUnit.SECONDS)).isEqualTo(7);
            assertThat(await(client.rpc("run", "xy"))).isEqualTo(2);
        }
    }

    /** Implements both forms: the asynchronous one answers, which holds no thread while it waits. */
    public static class BothForms implements Jobs {
        final AtomicInteger asyncCalls = new AtomicInteger();

        @Override
        public int run(String job) {
            return -1;
        }

        @Override
        public CompletableFuture<Integer> runAsync(String job) {
            asyncCalls.incrementAndGet();
            return CompletableFuture.completedFuture(job.length() * 10);
        }

        @Override
        public int strict(String job) {
            return 0;
        }

        @Override
        public int undeclared(String job) {
            return 0;
        }

        @Override
        public void progress(int percent) {
        }
    }

    @Test
    void whenBothFormsAreImplementedTheAsynchronousOneAnswers() throws Exception {
        BothForms impl = new BothForms();
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(impl).listen();
                Client client = Client.connect(server.address(), "s")) {
            assertThat(client.proxy(Jobs.class).run("abc")).isEqualTo(30);
            assertThat(impl.asyncCalls).hasValue(1);
        }
    }

    public static class NotForms {
        @Expose("run")
        public int runText(String job) {
            return 1;
        }

        @Expose("run")
        public CompletableFuture<Integer> runNumber(Integer job) {
            return CompletableFuture.completedFuture(2);
        }
    }

    @Test
    void sameArityMethodsWithDifferentParametersStillClash() {
        assertThatThrownBy(() -> Server.builder("127.0.0.1:0").register(new NotForms()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both expose 'run' with 1 arguments")
                .hasMessageContaining("blocking and asynchronous forms");
    }

    @Test
    void aJavaPeersExceptionOfADeclaredClassIsThrownAsThatClass() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new JobsImpl()).listen();
                Client client = Client.connect(server.address(), "s")) {
            Jobs jobs = client.proxy(Jobs.class);
            assertThatThrownBy(() -> jobs.run("bad"))
                    .isExactlyInstanceOf(JobFailedException.class)
                    .hasMessageStartingWith("job 'bad' failed")
                    .satisfies(e -> {
                        // its causes, as a Java peer sends them
                        assertThat(e.getCause()).isInstanceOf(RemoteException.class);
                        assertThat(((RemoteException) e.getCause()).remoteType()).isEqualTo("java.io.IOException");
                        assertThat(e.getCause()).hasMessageContaining("disk gone");
                        // the remote frames first, then the caller's
                        assertThat(Arrays.stream(e.getStackTrace()).map(StackTraceElement::getMethodName))
                                .contains("run", "aJavaPeersExceptionOfADeclaredClassIsThrownAsThatClass");
                        assertThat(e.getStackTrace()[0].getClassName()).endsWith("JobsImpl");
                        // the whole remote report, for whoever wants the command and the peer
                        assertThat(e.getSuppressed()).hasSize(1);
                        assertThat(((RemoteException) e.getSuppressed()[0]).command()).isEqualTo("run");
                    });
        }
    }

    @Test
    void anUndeclaredOrUnmakeableRemoteExceptionStaysARemoteException() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new JobsImpl()).listen();
                Client client = Client.connect(server.address(), "s")) {
            Jobs jobs = client.proxy(Jobs.class);
            assertThatThrownBy(() -> jobs.undeclared("x")).isInstanceOf(RemoteException.class)
                    .hasMessageContaining("not declared: x");
            assertThatThrownBy(() -> jobs.strict("x")).isInstanceOf(RemoteException.class)
                    .satisfies(e -> assertThat(((RemoteException) e).remoteType()).endsWith("Unmakeable"));
        }
    }

    @Test
    void theRemoteErrorsHookMapsAnyRemoteTypeToADeclaredOne() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new JobsImpl()).listen();
                Client client = Client.builder(server.address()).secret("s")
                        .remoteErrors(e -> e.remoteType().equals("java.lang.IllegalStateException")
                                ? new JobFailedException("mapped: " + e.remoteMessage(), e) : null)
                        .connect()) {
            Jobs jobs = client.proxy(Jobs.class);
            // undeclared() declares nothing: a checked exception the hook returns is not thrown there
            assertThatThrownBy(() -> jobs.undeclared("x")).isInstanceOf(RemoteException.class);
            // the same remote type through a method that declares it
            assertThatThrownBy(() -> client.proxy(Strict.class).run("x"))
                    .isExactlyInstanceOf(JobFailedException.class)
                    .hasMessage("mapped: not declared: x");
        }
    }

    /** Calls the server's "undeclared" as a method that declares JobFailedException. */
    public interface Strict {
        @Expose("undeclared")
        int run(String job) throws JobFailedException;
    }

    @Test
    void tellSendsOneWayAndRefusesAnUnsendableArgumentAtOnce() throws Exception {
        JobsImpl impl = new JobsImpl();
        impl.progressMayEnd.countDown();
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(impl).listen();
                Client client = Client.connect(server.address(), "s")) {
            client.tell("progress", 40);
            assertThat(impl.progressStarted.await(10, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> client.tell("progress", new Thread()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot send call 'progress'");
            assertThatThrownBy(() -> client.withTimeout(Duration.ofSeconds(1)).tell("progress", new Object()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    public interface BadOneWay {
        @Expose(oneWay = true)
        int progress(int percent);
    }

    @Test
    void aOneWayMethodMustBeVoid() throws Exception {
        try (Client client = Client.connect(1, "s")) {
            assertThatThrownBy(() -> client.proxy(BadOneWay.class)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("BadOneWay.progress(): @Expose(oneWay = true) is for void methods");
        }
    }

    @Test
    void aOneWayCallWithNobodyToAnswerFailsInTheLogNotInTheCaller() throws Exception {
        try (Client client = Client.builder(1).secret("s").readyTimeout(Duration.ofMillis(50)).connect()) {
            client.proxy(Jobs.class).progress(1); // nobody listens: returns all the same
            assertThat(failure(client.whenOpen())).isInstanceOf(IOException.class);
        }
    }
}
