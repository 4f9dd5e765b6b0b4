package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The examples of the public javadoc compile: every {@code <pre>{@code ...}</pre>}
 * block in {@code src/main/java/kaa/rpc/*.java} appears in
 * {@link JavadocExamples}, verbatim but for whitespace (each run of it counts
 * as one space), so that the compiler checks each one. A block that is
 * deliberately not code that compiles is marked by a line
 * {@code <!-- not compiled: reason -->} just before its {@code <pre>}, an
 * HTML comment javadoc does not show; such marks should be rare (an example
 * that elides what it cannot show), and say why.
 *
 * <p>The paths are the module's: surefire runs the tests in {@code kaa-rpc/}.
 */
class JavadocExamplesTest {

    private static final Path API = Path.of("src", "main", "java", "kaa", "rpc");
    private static final Path EXAMPLES = Path.of("src", "test", "java", "kaa", "rpc", "JavadocExamples.java");

    /** How a deliberate fragment is marked, on the line before its {@code <pre>}. */
    static final String NOT_COMPILED = "<!-- not compiled:";

    private static final String START = "<pre>{@code";
    private static final String END = "}</pre>";

    /** One example: where it is, and its code as javadoc shows it. */
    record Block(String where, String code, boolean markedNotCompiled) {
    }

    @Test
    void everyExampleOfThePublicJavadocIsInJavadocExamples() throws IOException {
        assertThat(API).as("the public package's sources, from the module directory (kaa-rpc/); the working "
                + "directory is %s", Path.of("").toAbsolutePath()).isDirectory();
        assertThat(EXAMPLES).as("JavadocExamples.java, from the module directory (kaa-rpc/); the working "
                + "directory is %s", Path.of("").toAbsolutePath()).isRegularFile();
        List<Path> sources;
        try (Stream<Path> files = Files.list(API)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
        List<Block> blocks = new ArrayList<>();
        for (Path source : sources) {
            blocks.addAll(blocks(source.getFileName().toString(), Files.readString(source)));
        }
        assertThat(blocks).as("examples found in %s", API.toAbsolutePath()).isNotEmpty();

        String examples = collapsed(Files.readString(EXAMPLES));
        List<String> missing = new ArrayList<>();
        for (Block b : blocks) {
            if (!b.markedNotCompiled() && !examples.contains(collapsed(b.code()))) {
                missing.add(b.where() + ":\n" + b.code());
            }
        }
        assertThat(String.join("\n\n", missing)).as("examples of the javadoc that JavadocExamples.java does not "
                + "hold (copy each into a method of its own there, with what it assumes, so that it compiles)")
                .isEmpty();
    }

    @Test
    void readsABlockAsJavadocShowsIt() {
        String source = String.join("\n",
                "/**",
                " * Text.",
                " * <pre>{@code",
                " * int x = f(1);   // one",
                " *     g(x);",
                " * }</pre>",
                " * <!-- not compiled: it needs a peer that is not Java -->",
                " * <pre>{@code",
                " * py.call()",
                " * }</pre>",
                " */");
        List<Block> blocks = blocks("A.java", source);
        assertThat(blocks).extracting(Block::where).containsExactly("A.java:3", "A.java:8");
        assertThat(collapsed(blocks.get(0).code())).isEqualTo("int x = f(1); // one g(x);");
        assertThat(blocks).extracting(Block::markedNotCompiled).containsExactly(false, true);
        assertThat(collapsed("a(\n   b,\tc)")).isEqualTo("a( b, c)");
        assertThatThrownBy(() -> blocks("B.java", " * <pre>{@code\n * x();\n */"))
                .hasMessageContaining("B.java:1");
        assertThatThrownBy(() -> blocks("C.java", " * <!-- not compiled: -->\n * <pre>{@code\n * x\n * }</pre>"))
                .hasMessageContaining("C.java:2").hasMessageContaining("reason");
    }

    /** The {@code <pre>{@code ...}</pre>} blocks of a source file, each without its comment's leading stars. */
    static List<Block> blocks(String file, String source) {
        List<Block> blocks = new ArrayList<>();
        int start = source.indexOf(START);
        while (start >= 0) {
            String where = file + ":" + lineOf(source, start);
            int end = source.indexOf(END, start);
            if (end < 0) {
                throw new IllegalStateException(where + ": a <pre>{@code block without its }</pre>");
            }
            String code = source.substring(start + START.length(), end).lines()
                    .map(line -> line.replaceFirst("^\\s*\\*", ""))
                    .collect(Collectors.joining("\n"));
            String before = lineBefore(source, start);
            boolean marked = before.contains(NOT_COMPILED);
            if (marked && before.substring(before.indexOf(NOT_COMPILED) + NOT_COMPILED.length())
                    .replace("-->", "").isBlank()) {
                throw new IllegalStateException(where + ": " + NOT_COMPILED + " needs a reason");
            }
            blocks.add(new Block(where, code, marked));
            start = source.indexOf(START, end);
        }
        return blocks;
    }

    /** Whitespace runs as one space, and none at the ends. */
    static String collapsed(String text) {
        return text.replaceAll("\\s+", " ").trim();
    }

    private static int lineOf(String source, int index) {
        return (int) source.substring(0, index).chars().filter(c -> c == '\n').count() + 1;
    }

    /** The whole line before the one holding {@code index}, or empty for the first line. */
    private static String lineBefore(String source, int index) {
        int lineStart = source.lastIndexOf('\n', index - 1);
        if (lineStart < 0) {
            return "";
        }
        return source.substring(source.lastIndexOf('\n', lineStart - 1) + 1, lineStart);
    }
}
