package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The --command globs: what they match, and a peer's command that would make a regular expression backtrack. */
class GlobTest {

    @Test
    void starsAndQuestionMarksMatchAsAShellsDo() {
        assertThat(Glob.matches("echo", "echo")).isTrue();
        assertThat(Glob.matches("echo", "echoes")).isFalse();
        assertThat(Glob.matches("ec?o", "echo")).isTrue();
        assertThat(Glob.matches("ec?o", "eco")).isFalse();
        assertThat(Glob.matches("*", "")).isTrue();
        assertThat(Glob.matches("", "")).isTrue();
        assertThat(Glob.matches("", "x")).isFalse();
        assertThat(Glob.matches("get_*", "get_user")).isTrue();
        assertThat(Glob.matches("*_user", "get_user")).isTrue();
        assertThat(Glob.matches("*_user", "get_users")).isFalse();
        assertThat(Glob.matches("a*b*c", "aXbYbZc")).isTrue();
        assertThat(Glob.matches("a*b*c", "aXbYcZ")).isFalse();
        assertThat(Glob.matches("**x", "x")).isTrue();
        assertThat(Glob.matches("a.b", "aXb")).as("a dot is itself").isFalse();
        assertThat(Glob.matches("(a|b)", "(a|b)")).isTrue();
        assertThat(Glob.matches("?.", "\ud83d\ude00.")).as("a surrogate pair is one character").isTrue();
        assertThat(Glob.matches("??", "\ud83d\ude00")).isFalse();
        assertThat(Glob.matchesAny(List.of("add", "gre?t"), "greet")).isTrue();
        assertThat(Glob.matchesAny(List.of("add", "gre?t"), "echo")).isFalse();
    }

    @Test
    void aCommandOfManyUnderscoresAgainstManyStarsIsDecided() {
        // as a regular expression (.*_.*_...x) this glob tries every split of the text: 7 stars took seconds a call
        String command = "_".repeat(100);
        String glob = "*_*_*_*_*_*_*_*_*_*_x";
        assertThat(Glob.matches(glob, command)).isFalse();
        assertThat(Glob.matches(glob, command + "x")).isTrue();
        assertThat(Glob.matches(glob, "_".repeat(9) + "x")).isFalse();
        assertThat(Glob.matches(glob, "_".repeat(10) + "x")).isTrue();
    }
}
