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

/**
 * Runs a Python peer: {@code kaa_peer.py}, the wire protocol with the real pickle module, as the original kaa.rpc
 * speaks it; or the repository's Python 3 package ({@code python/kaarpc}) through its {@code tests/peer.py}, which
 * takes the same command line.
 */
final class PythonPeer implements AutoCloseable {

    /** Which Python peer runs. */
    enum Kind {
        /** {@code kaa_peer.py}: the protocol as the original speaks it, with Python's own pickle. */
        PROTOCOL,
        /** The {@code kaarpc} package of this repository. */
        PACKAGE;

        /** The package's directory, beside this module's. */
        static Path packageDir() {
            return Path.of(System.getProperty("user.dir")).resolveSibling("python").toAbsolutePath();
        }
    }

    private static final String EOF = new String("end of output");

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private String address;

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

    /** Starts a long-running peer (a server); read its lines with {@link #readLine()}. */
    static PythonPeer start(Path dir, String... args) throws IOException {
        return start(Kind.PROTOCOL, dir, args);
    }

    /** Starts a long-running peer of the given kind. */
    static PythonPeer start(Kind kind, Path dir, String... args) throws IOException {
        return new PythonPeer(new ProcessBuilder(command(kind, dir, args))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    /**
     * Runs a peer to its end (a client) and returns what it printed. Its output
     * goes through a file: reading a pipe while the JDK reaps the process can
     * lose the last lines.
     */
    static List<String> run(Path dir, String... args) throws Exception {
        return run(Kind.PROTOCOL, dir, args);
    }

    /** Runs a peer of the given kind to its end. */
    static List<String> run(Kind kind, Path dir, String... args) throws Exception {
        Path out = Files.createTempFile(dir, "python-out", ".txt");
        Process p = new ProcessBuilder(command(kind, dir, args)).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (!p.waitFor(Peers.WAIT.toMillis() * 3, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("python peer did not finish; it printed: " + Files.readString(out));
        }
        return Files.readAllLines(out);
    }

    private static List<String> command(Kind kind, Path dir, String... args) throws IOException {
        if (kind == Kind.PACKAGE) {
            List<String> command = new ArrayList<>(List.of("python3",
                    Kind.packageDir().resolve("tests").resolve("peer.py").toString()));
            command.addAll(List.of(args));
            return command;
        }
        Path script = dir.resolve("kaa_peer.py");
        if (!Files.exists(script)) {
            try (InputStream in = PythonPeer.class.getResourceAsStream("/kaa_peer.py")) {
                Files.copy(in, script);
            }
        }
        List<String> command = new ArrayList<>(List.of("python3", script.toString()));
        command.addAll(List.of(args));
        return command;
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

    /**
     * Starts a server of the demo service on TCP (an ephemeral port) or on the socket {@code socketName} in
     * {@code dir}, and waits for it to say where it listens ({@link #address()}).
     */
    static PythonPeer server(Kind kind, Peers.Transport transport, Path dir, String socketName, String secret)
            throws Exception {
        String address = transport == Peers.Transport.TCP ? "127.0.0.1:0" : dir.resolve(socketName).toString();
        return start(kind, dir, "serve", address, secret).ready();
    }

    /** Reads the server's first line, {@code READY address}; fails on any other. */
    PythonPeer ready() throws Exception {
        String line = readLine();
        if (line == null || !line.startsWith("READY ")) {
            close();
            throw new AssertionError("the python server did not start: " + line);
        }
        address = line.substring("READY ".length());
        return this;
    }

    /** The address a server said it listens on, once {@link #ready()}. */
    String address() {
        return address;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
