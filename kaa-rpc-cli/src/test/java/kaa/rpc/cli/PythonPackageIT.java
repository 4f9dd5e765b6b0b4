package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Python 3 package's own suite ({@code python/tests}, the standard library's unittest), with the packaged
 * {@code kaarpc.jar} as its Java peer: run here so that the README's test command runs it too.
 */
class PythonPackageIT {

    @Test
    void thePythonSuitePassesAgainstThePackagedJar() throws Exception {
        Path python = Path.of("..", "python").toAbsolutePath().normalize();
        Path jar = Path.of(System.getProperty("kaarpc.jar", "target/kaarpc.jar")).toAbsolutePath();
        Path out = Files.createTempFile("python-suite", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder("python3", "-m", "unittest", "discover", "-s", "tests", "-v")
                    .directory(python.toFile()).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().put("KAARPC_JAR", jar.toString());
            pb.environment().put("KAARPC_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
            pb.environment().put("KAARPC_REQUIRE_JAVA", "1"); // here the jar is built: its tests may not skip
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("the Python suite did not finish in 5 minutes:\n" + Files.readString(out));
            }
            String report = Files.readString(out);
            assertThat(p.exitValue()).as("the Python suite's exit status; it printed:%n%s", report).isZero();
            assertThat(report).contains("OK").doesNotContain("skipped 'the Java side");
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
