package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Use it in your project" is what examples/consumer does, which
 * the build runs against the installed artifacts: the dependency snippet is
 * the example's, and its version is the one this build makes.
 */
class ConsumerSnippetTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static String readmeSnippet() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int section = readme.indexOf("## Use it in your project");
        assertThat(section).as("README.md has its 'Use it in your project' section").isNotNegative();
        Matcher xml = Pattern.compile("```xml\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(xml.find(section)).as("a Maven snippet in that section").isTrue();
        return xml.group(1);
    }

    private static String collapsed(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    @Test
    void theReadmesSnippetIsTheExamplesWithTheVersionThisBuildMakes() throws IOException {
        String snippet = readmeSnippet();
        Matcher version = Pattern.compile("<artifactId>kaa-rpc-bom</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(snippet);
        assertThat(version.find()).as("the snippet imports the BOM with a version").isTrue();
        String built = System.getProperty("kaarpc.version", "");
        assertThat(version.group(1)).as("the README's version is the one built (a snapshot's release)")
                .isEqualTo(built.replace("-SNAPSHOT", ""));

        String example = Files.readString(ROOT.resolve("examples/consumer/pom.xml"));
        String asInExample = snippet.replace("<version>" + version.group(1) + "</version>",
                "<version>${kaa-rpc.version}</version>");
        // the BOM's import as it is, and each dependency (the example has its test dependencies besides)
        Matcher parts = Pattern.compile("<dependencyManagement>.*?</dependencyManagement>|<dependency>(?:(?!"
                + "<dependency>).)*?</dependency>(?!\\s*</dependencies>\\s*</dependencyManagement>)", Pattern.DOTALL)
                .matcher(asInExample);
        int checked = 0;
        while (parts.find()) {
            assertThat(collapsed(example)).as("examples/consumer/pom.xml holds the README's\n%s", parts.group())
                    .contains(collapsed(parts.group()));
            checked++;
        }
        assertThat(checked).as("the BOM's import and the library's dependency").isGreaterThanOrEqualTo(2);
    }
}
