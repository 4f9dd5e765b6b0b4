package kaa.rpc.opentelemetry;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kaa.rpc.Channel;
import kaa.rpc.Expose;

/** What the tests share: a service, bounded waits, and a Python peer. */
final class Fixtures {

    static final Duration WAIT = Duration.ofSeconds(10);

    private Fixtures() {
    }

    /** The exposed methods the tests call, on either side. */
    public static class Service {
        final CountDownLatch blockStarted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Expose
        public Object echo(Object x) {
            return x;
        }

        @Expose
        public int add(int a, int b) {
            return a + b;
        }

        @Expose
        public void fail(String message) {
            throw new IllegalStateException(message);
        }

        /** Runs until released (or interrupted, when the call is cancelled). */
        @Expose(interruptible = true)
        public String block() throws InterruptedException {
            blockStarted.countDown();
            return release.await(30, TimeUnit.SECONDS) ? "released" : "not released";
        }

        /** Calls {@code command} of the caller, inside this call, and answers with what it answered. */
        @Expose(addClient = true)
        public Object relay(Channel peer, String command, Object arg) throws Exception {
            return peer.rpc(command, arg).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The cause a failed future failed with. */
    static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("future neither completed nor failed within " + WAIT, e);
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
        throw new AssertionError("expected the future to fail, but it completed with " + f.join());
    }

    /** kaa-rpc's test peer {@code kaa_peer.py} (from its test jar), speaking kaa.rpc with Python's pickle. */
    static final class PythonPeer implements AutoCloseable {
        private final Process process;
        private final String address;

        private PythonPeer(Process process, String address) {
            this.process = process;
            this.address = address;
        }

        /** A Python server on an ephemeral port; returns once it listens. */
        static PythonPeer serve(Path dir, String secret) throws Exception {
            Process p = new ProcessBuilder(command(dir, "serve", "127.0.0.1:0", secret))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
                try {
                    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                            .readLine();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String line;
            try {
                line = ready.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                p.destroyForcibly();
                throw new AssertionError("the python peer did not start within " + WAIT);
            }
            if (line == null || !line.startsWith("READY ")) {
                p.destroyForcibly();
                throw new AssertionError("the python peer printed " + line);
            }
            return new PythonPeer(p, line.substring("READY ".length()));
        }

        /** Runs a Python client to its end and returns what it printed. */
        static List<String> run(Path dir, String... args) throws Exception {
            Path out = Files.createTempFile(dir, "python-out", ".txt");
            Process p = new ProcessBuilder(command(dir, args)).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(WAIT.toMillis() * 3, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("python peer did not finish; it printed: " + Files.readString(out));
            }
            return Files.readAllLines(out);
        }

        String address() {
            return address;
        }

        private static List<String> command(Path dir, String... args) throws IOException {
            Path script = dir.resolve("kaa_peer.py");
            if (!Files.exists(script)) {
                try (InputStream in = Fixtures.class.getResourceAsStream("/kaa_peer.py")) {
                    if (in == null) {
                        throw new IOException("kaa_peer.py is not on the class path (kaa-rpc's test jar)");
                    }
                    Files.copy(in, script);
                }
            }
            List<String> command = new ArrayList<>(List.of("python3", script.toString()));
            command.addAll(List.of(args));
            return command;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
