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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs {@code kaa_peer.py}, a Python peer speaking kaa.rpc with the real pickle module. */
final class PythonPeer implements AutoCloseable {

    private final Process process;
    private final BufferedReader out;

    private PythonPeer(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
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

    /** The next line the peer prints, waiting at most {@code Peers.WAIT}. */
    String readLine() throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            return line.get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            throw new AssertionError("python peer printed nothing within " + Peers.WAIT, e);
        }
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
