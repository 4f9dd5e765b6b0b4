package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Python values echoed through a Java server come back as Python sent them. */
class FidelityTest {

    @TempDir
    Path dir;

    private List<String> echo(Server server, String expression) throws Exception {
        return PythonPeer.run(dir, "call", server.address(), "s", "echo", expression);
    }

    @Test
    void valuesJavaHasNoTypeForComeBackIntact() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new DemoService())
                .sendPythonObjects((module, name) -> module.equals("__main__")).listen()) {
            assertThat(echo(server, "'lone \\ud800 surrogate'")).containsExactly("echo 'lone \\ud800 surrogate'");
            assertThat(echo(server, "'pair \\U0001f600 and \\ufffd'")).containsExactly("echo 'pair \\U0001f600 and \\ufffd'");
            // two lone surrogates side by side are two code points, as Python sent them, not U+1F600
            assertThat(echo(server, "'\\ud83d\\ude00 \\U0001f600'"))
                    .containsExactly("echo '\\ud83d\\ude00 \\U0001f600'");
            assertThat(echo(server, "decimal.Decimal('NaN')")).containsExactly("echo Decimal('NaN')");
            assertThat(echo(server, "decimal.Decimal('-Infinity')")).containsExactly("echo Decimal('-Infinity')");
            assertThat(echo(server, "decimal.Decimal('-0.00')")).containsExactly("echo Decimal('-0.00')");
            assertThat(echo(server, "decimal.Decimal('sNaN')")).containsExactly("echo Decimal('sNaN')");
            assertThat(echo(server, "decimal.Decimal('1.10')")).containsExactly("echo Decimal('1.10')");
            // instances rebuilt as pickle rebuilds them, without calling __init__ again
            assertThat(echo(server, "Point(1, [2])")).containsExactly("echo Point(1, [2])");
            assertThat(echo(server, "Slotted('s')")).containsExactly("echo Slotted('s')");
            assertThat(echo(server, "{frozenset({1}): 'x'}")).containsExactly("echo {frozenset({1}): 'x'}");
        }
    }

    @Test
    void aJavaStringWithALoneSurrogateReachesPythonAsItIs() throws Exception {
        try (PythonPeer python = PythonPeer.start(dir, "serve", "127.0.0.1:0", "s")) {
            String ready = python.readLine();
            try (Client client = Client.connect(ready.substring(6), "s")) {
                String lone = "a\ud800b\udc00c";
                assertThat(Peers.await(client.rpc("echo", lone))).isEqualTo(lone);
                // Python's '\ud83d' + '\ude00' is two code points, which a String reads as one astral char: as a
                // String it is that, and sent back it is the two Python made
                Object joined = Peers.await(client.rpc("add", "\ud83d", "\ude00"));
                assertThat(joined).hasToString("\ud83d\ude00").isInstanceOf(CharSequence.class);
                assertThat(Peers.await(client.rpc(String.class, "add", "\ud83d", "\ude00"))).isEqualTo("\ud83d\ude00");
                assertThat(Peers.await(client.rpc("add", joined, "!"))).hasToString("\ud83d\ude00!");
            }
        }
    }
}
