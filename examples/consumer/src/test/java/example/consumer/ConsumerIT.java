package example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The application, built against kaa-rpc by its coordinates, run against
 * {@code kaarpc serve} three ways: on the class path, as a named module on
 * the module path, and linked by jlink into an image of its own.
 */
class ConsumerIT {

    private static final Path APP = Path.of(System.getProperty("app.jar"));
    private static final Path LIB = Path.of(System.getProperty("app.lib"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private static Process server;
    private static String address;

    @BeforeAll
    static void serve() throws Exception {
        String kaarpc = System.getProperty("kaarpc.jar");
        assertTrue(kaarpc != null && Files.isRegularFile(Path.of(kaarpc)), "-Dkaarpc.jar names the command line's jar");
        server = new ProcessBuilder(JAVA, "-jar", kaarpc, "serve", "127.0.0.1:0", "--secret", "s")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String ready = out.readLine(); // kaarpc serve prints READY <address> once it listens
        assertTrue(ready != null && ready.startsWith("READY "), "kaarpc serve said: " + ready);
        address = ready.substring("READY ".length());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (server != null) {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String jars() throws IOException {
        try (Stream<Path> lib = Files.list(LIB)) {
            return Stream.concat(Stream.of(APP), lib.sorted()).map(Path::toString)
                    .collect(Collectors.joining(File.pathSeparator));
        }
    }

    /** Runs the application to its end; its output lines. */
    private static List<String> run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l = out.readLine(); l != null; l = out.readLine()) {
                lines.add(l);
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the application ended");
        assertEquals(0, p.exitValue(), "exit status; output: " + lines);
        return lines;
    }

    private static void answeredEverything(List<String> lines, String module) {
        assertTrue(lines.contains("echo hello"), lines.toString());
        assertTrue(lines.contains("add 5"), lines.toString());
        assertTrue(lines.contains("addAsync 42"), lines.toString());
        assertTrue(lines.contains("greet hi bob"), lines.toString());
        assertTrue(lines.contains("module " + module), lines.toString());
    }

    @Test
    void onTheClassPath() throws Exception {
        answeredEverything(run(List.of(JAVA, "-cp", jars(), "example.consumer.Main", address, "s")), "(class path)");
    }

    @Test
    void asANamedModuleOnTheModulePath() throws Exception {
        answeredEverything(run(List.of(JAVA, "--module-path", jars(), "--module",
                "example.consumer/example.consumer.Main", address, "s")), "example.consumer");
    }

    @Test
    void linkedByJlink() throws Exception {
        ToolProvider jlink = ToolProvider.findFirst("jlink").orElse(null);
        Assumptions.assumeTrue(jlink != null, "a JDK with jlink");
        Path image = Path.of(System.getProperty("app.image"));
        deleteTree(image);
        StringWriter said = new StringWriter();
        int status = jlink.run(new PrintWriter(said), new PrintWriter(said), "--module-path", jars(),
                "--add-modules", "example.consumer", "--launcher", "consumer=example.consumer/example.consumer.Main",
                "--no-header-files", "--no-man-pages", "--output", image.toString());
        // a JDK without its jmods (and not built to link from itself) cannot link any image at all
        Assumptions.assumeFalse(status != 0 && said.toString().contains("jmods"), said.toString());
        assertEquals(0, status, "jlink said: " + said);
        answeredEverything(run(List.of(image.resolve("bin").resolve("consumer").toString(), address, "s")),
                "example.consumer");
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
