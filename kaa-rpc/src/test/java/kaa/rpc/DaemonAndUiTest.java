package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's daemon and UI, as written there: one interface, callbacks per connection, a restart. */
class DaemonAndUiTest {

    @TempDir
    Path dir;

    public static class JobFailedException extends Exception {
        public JobFailedException(String message) {
            super(message);
        }
    }

    public interface Jobs {
        @Expose
        int run(String job) throws JobFailedException;

        @Expose("run")
        default CompletableFuture<Integer> runAsync(String job) {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return run(job);
                } catch (JobFailedException e) {
                    throw new CompletionException(e);
                }
            });
        }
    }

    public interface Ui {
        @Expose(oneWay = true)
        void progress(String job, int percent);
    }

    static class JobsImpl implements Jobs {
        private final Ui ui;

        JobsImpl(Channel channel) {
            this.ui = channel.proxy(Ui.class);
        }

        @Override
        public int run(String job) throws JobFailedException {
            for (int p = 0; p <= 100; p += 25) {
                ui.progress(job, p);
            }
            if (job.isEmpty()) {
                throw new JobFailedException("no job given");
            }
            return job.length();
        }
    }

    static class UiImpl implements Ui {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void progress(String job, int percent) {
            seen.add(job + ": " + percent + "%");
        }
    }

    private static Server daemon(String address) throws Exception {
        return Peers.listenAgain(() -> Server.builder(address).secret("s").registerPerClient(JobsImpl::new).listen());
    }

    @Test
    void theDaemonCallsItsUiBackAndTheUiRidesOutARestart() throws Exception {
        String address = dir.resolve("jobs.sock").toString();
        UiImpl uiImpl = new UiImpl();
        Server first = daemon(address);
        try (Client client = Client.builder(address).secret("s").register(uiImpl)
                .retry(Duration.ofMillis(50)).waitForReady().readyTimeout(Duration.ofSeconds(20)).connect()) {
            Jobs jobs = client.proxy(Jobs.class);
            assertThat(jobs.run("build")).isEqualTo(5);
            assertThat(jobs.runAsync("test").get(10, TimeUnit.SECONDS)).isEqualTo(4);
            assertThatThrownBy(() -> jobs.run("")).isExactlyInstanceOf(JobFailedException.class)
                    .hasMessage("no job given");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (uiImpl.seen.size() < 15 && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertThat(uiImpl.seen).hasSize(15).contains("build: 0%", "build: 100%", "test: 50%", ": 25%");

            CompletableFuture<Throwable> lost = client.closed().next();
            first.close();
            lost.get(10, TimeUnit.SECONDS);
            CompletableFuture<Integer> duringRestart = jobs.runAsync("again"); // waits for the daemon
            CompletableFuture<Integer> blocking = CompletableFuture.supplyAsync(() -> {
                try {
                    return jobs.run("blocking");
                } catch (JobFailedException e) {
                    throw new CompletionException(e);
                }
            });
            try (Server second = daemon(address)) {
                assertThat(duringRestart.get(20, TimeUnit.SECONDS)).isEqualTo(5);
                assertThat(blocking.get(20, TimeUnit.SECONDS)).isEqualTo(8);
            }
        }
    }
}
