package kaa.rpc.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Runs the packaged {@code kaarpc.jar} (or any command) as a process, with bounded waits. */
final class Kaarpc {

    static final long WAIT_SECONDS = 30;

    record Result(int status, String out, String err) {
    }

    private Kaarpc() {
    }

    static List<String> command(String... args) {
        String jar = System.getProperty("kaarpc.jar", "target/kaarpc.jar");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-jar", jar));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs {@code kaarpc args...} to its end. */
    static Result run(Map<String, String> env, String... args) throws Exception {
        return runToEnd(command(args), env);
    }

    static Result run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    /**
     * Runs a command to its end with its output in files: reading a pipe while
     * the JDK reaps the process can lose the last lines ("Stream closed").
     */
    static Result runToEnd(List<String> command, Map<String, String> env) throws Exception {
        Path out = Files.createTempFile("kaarpc-out", ".txt");
        Path err = Files.createTempFile("kaarpc-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().remove("KAARPC_SECRET");
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in " + WAIT_SECONDS + " s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A long-running process whose output is read line by line on a thread of its own. */
    static final class Background implements AutoCloseable {
        private static final String EOF = new String("eof");
        final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Path err;

        /** Its stdout is read line by line as it comes; its stderr goes to a file (see {@link #runToEnd}). */
        Background(List<String> command) throws IOException {
            err = Files.createTempFile("kaarpc-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
            pb.environment().remove("KAARPC_SECRET");
            process = pb.start();
            Thread out = new Thread(this::pumpStdout, "stdout");
            out.setDaemon(true);
            out.start();
        }

        private void pumpStdout() {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // process ended
            } finally {
                lines.add(EOF);
            }
        }

        String readLine() throws InterruptedException {
            String l = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (l == null) {
                throw new AssertionError("no output within " + WAIT_SECONDS + " s; stderr: " + stderr());
            }
            return l == EOF ? null : l;
        }

        String stderr() {
            try {
                return Files.readString(err);
            } catch (IOException e) {
                return "(stderr unreadable: " + e + ")";
            }
        }

        /** SIGTERM, then the exit status once the process and its stderr have ended. */
        int terminate() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("did not stop on SIGTERM");
            }
            return process.exitValue();
        }

        @Override
        public void close() throws InterruptedException, IOException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(err);
        }
    }

    /** The Python peer of the library's tests: the kaa.rpc wire protocol with Python's own pickle. */
    static Path pythonPeer() {
        return Path.of("..", "kaa-rpc", "src", "test", "resources", "kaa_peer.py").toAbsolutePath().normalize();
    }
}
