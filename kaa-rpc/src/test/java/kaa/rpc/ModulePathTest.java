package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application in a named module of its own, as a desktop application
 * linked with jlink is: what reflection needs of it (its records, its
 * beans, its exposed classes) is checked at register and at proxy(), and a
 * refusal says which line to add to its module-info.java.
 */
class ModulePathTest {

    @TempDir
    static Path dir;

    private static ModuleLayer layer;

    /** Compiles module "app": its service is exported and open, its values' package neither. */
    @BeforeAll
    static void compileTheApplication() throws IOException {
        assumeTrue(Expose.class.getModule().isNamed(), "the tests run on the module path");
        Path src = dir.resolve("src");
        write(src.resolve("module-info.java"), "module app { requires kaa.rpc; exports app; opens app to kaa.rpc; }");
        write(src.resolve("app/values/Job.java"), "package app.values; public record Job(String name, int size) {}");
        write(src.resolve("app/values/Settings.java"), "package app.values; public class Settings { "
                + "public int level; public Settings() {} }");
        write(src.resolve("app/Daemon.java"), "package app; import kaa.rpc.Expose; import app.values.*; "
                + "public class Daemon { @Expose public int take(Job job) { return job.size(); } }");
        write(src.resolve("app/Configured.java"), "package app; import kaa.rpc.Expose; import app.values.*; "
                + "public class Configured { @Expose public int set(Settings s) { return s.level; } }");
        write(src.resolve("app/Lister.java"), "package app; import kaa.rpc.Expose; import app.values.*; "
                + "import java.util.List; public class Lister { @Expose public List<Job> jobs() { return List.of(); } }");
        write(src.resolve("app/Plain.java"), "package app; import kaa.rpc.Expose; "
                + "public class Plain { @Expose public int add(int a, int b) { return a + b; } }");
        write(src.resolve("app/JobsApi.java"), "package app; import kaa.rpc.Expose; import app.values.*; "
                + "public interface JobsApi { @Expose Job next(); }");
        Path out = dir.resolve("out");
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--module-path",
                System.getProperty("jdk.module.path")));
        try (var files = Files.walk(src)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
        }
        ToolProvider javac = ToolProvider.findFirst("javac").orElse(null);
        assumeTrue(javac != null, "a JDK with javac runs the tests");
        assertThat(javac.run(System.out, System.err, args.toArray(new String[0]))).isZero();
        ModuleLayer boot = ModuleLayer.boot();
        Configuration config = boot.configuration().resolve(ModuleFinder.of(out), ModuleFinder.of(), Set.of("app"));
        layer = boot.defineModulesWithOneLoader(config, ClassLoader.getSystemClassLoader());
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static Object make(String className) throws Exception {
        return layer.findLoader("app").loadClass(className).getConstructor().newInstance();
    }

    @Test
    void aRecordParameterInAPackageNotOpenIsRefusedAtRegisterWithTheLineToAdd() throws Exception {
        Object daemon = make("app.Daemon");
        assertThatThrownBy(() -> Server.builder("127.0.0.1:0").register(daemon))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot expose Daemon.take(Job): parameter 1")
                .hasMessageContaining("add 'opens app.values to kaa.rpc;' to your module-info.java");
    }

    @Test
    void aBeanParameterInAPackageNotOpenIsRefusedToo() throws Exception {
        Object configured = make("app.Configured");
        assertThatThrownBy(() -> Server.builder("127.0.0.1:0").register(configured))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("add 'opens app.values to kaa.rpc;'");
    }

    @Test
    void aResultHoldingSuchARecordIsRefusedAtRegister() throws Exception {
        Object lister = make("app.Lister");
        assertThatThrownBy(() -> Server.builder("127.0.0.1:0").register(lister))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("its result holds Job, whose package app.values is not open to module kaa.rpc");
    }

    @Test
    void aProxyWhoseResultIsSuchARecordIsRefusedAtProxy() throws Exception {
        Class<?> api = layer.findLoader("app").loadClass("app.JobsApi");
        try (Client client = Client.connect(1, "s")) {
            assertThatThrownBy(() -> client.proxy(api)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("add 'opens app.values to kaa.rpc;'");
        }
    }

    @Test
    void anApplicationThatOpensWhatItExposesIsServed() throws Exception {
        Object plain = make("app.Plain");
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(plain).listen();
                Client client = Client.connect(server.address(), "s")) {
            assertThat(client.rpc(Integer.class, "add", 2, 3).get()).isEqualTo(5);
        }
    }
}
