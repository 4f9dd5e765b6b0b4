package kaa.rpc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Runs {@code kaa_peer.py}, a Python peer speaking kaa.rpc with the real pickle module. */
final class PythonPeer implements AutoCloseable {

    private static final String EOF = new String("end of output");

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private PythonPeer(Process process) {
        this.process = process;
        // A thread of its own: a blocked read must not occupy a shared pool that the code under test needs.
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the process went away
            } finally {
                lines.add(EOF);
            }
        }, "python-peer-output");
        reader.setDaemon(true);
        reader.start();
    }

    static PythonPeer start(Path dir, String... args) throws IOException {
        Path script = dir.resolve("kaa_peer.py");
        if (!Files.exists(script)) {
            try (InputStream in = PythonPeer.class.getResourceAsStream("/kaa_peer.py")) {
                Files.copy(in, script);
            }
        }
        List<String> command = new ArrayList<>(List.of("python3", script.toString()));
        command.addAll(List.of(args));
        return new PythonPeer(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    /** The next line the peer prints, or null at its end; waits at most {@code Peers.WAIT}. */
    String readLine() throws Exception {
        String line = lines.poll(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            process.destroyForcibly();
            throw new AssertionError("python peer printed nothing within " + Peers.WAIT);
        }
        if (line == EOF) {
            lines.add(EOF);
            return null;
        }
        return line;
    }

    /** Every line until the peer exits. */
    List<String> readAll() throws Exception {
        List<String> lines = new ArrayList<>();
        for (String l = readLine(); l != null; l = readLine()) {
            lines.add(l);
        }
        return lines;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
