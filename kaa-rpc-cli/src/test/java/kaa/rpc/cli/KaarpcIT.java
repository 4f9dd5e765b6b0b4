package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The packaged kaarpc.jar as a user runs it: serve, call and ping, over TCP and a Unix socket. */
class KaarpcIT {

    @TempDir
    Path dir;

    private String listenAddress(String transport) {
        return transport.equals("tcp") ? "127.0.0.1:0" : dir.resolve("kaarpc.sock").toString();
    }

    /** The address the last {@link #serve} printed in its READY line. */
    private String served;

    private Kaarpc.Background serve(String transport, String secret) throws Exception {
        Kaarpc.Background server = new Kaarpc.Background(
                Kaarpc.command("serve", listenAddress(transport), "--secret", secret));
        String ready = server.readLine();
        assertThat(ready).as("first line; stderr: %s", server.stderr()).startsWith("READY ");
        served = ready.substring("READY ".length());
        return server;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void callsEveryDemoFunction(String transport) throws Exception {
        try (Kaarpc.Background server = serve(transport, "s")) {
            String a = served;
            Map<String, String> env = Map.of("KAARPC_SECRET", "s");
            assertThat(call(env, a, "echo", "hi")).isEqualTo("\"hi\"");
            assertThat(call(env, a, "echo", "[1, {\"k\": null}]")).isEqualTo("[1, {\"k\": null}]");
            assertThat(call(env, a, "add", "2", "3")).isEqualTo("5");
            assertThat(call(env, a, "add", "-1", "1.5")).isEqualTo("0.5");
            assertThat(call(env, a, "add", "\"con\"", "cat")).isEqualTo("\"concat\"");
            assertThat(call(env, a, "greet", "bob")).isEqualTo("\"hello bob\"");
            assertThat(call(env, a, "greet", "bob", "--kw", "greeting=hi")).isEqualTo("\"hi bob\"");
            assertThat(call(env, a, "greet", "--kw", "name=ann", "--kw", "greeting=hey")).isEqualTo("\"hey ann\"");
            assertThat(call(env, a, "slow", "0.1", "late")).isEqualTo("\"late\"");
            assertThat(call(env, a, "whoami")).isEqualTo("\"server\"");
            assertThat(call(env, a, "callback", "echo", "7")).isEqualTo("[\"callback\", 7]");
            assertThat(call(env, a, "callback", "client_echo", "7")).isEqualTo("[\"callback\", [\"client\", 7]]");
            assertThat(call(env, a, "types")).isEqualTo("[null, true, 1, 1099511627776, 1180591620717411303424, 1.5, "
                    + "\"unicode \u00e9\", {\"$bytes\": \"Ynl0ZXMA/w==\"}, [1, 2], [3], {\"k\": \"v\"}, [1]]");
            assertThat(call(env, a, "echo", "{\"$bytes\": \"AP8=\"}")).isEqualTo("{\"$bytes\": \"AP8=\"}");
            assertThat(call(env, a, "add", "123456789012345678901234567890", "1"))
                    .isEqualTo("123456789012345678901234567891");

            Kaarpc.Result ping = Kaarpc.run(env, "ping", a, "--count", "5");
            assertThat(ping.status()).as(ping.err()).isZero();
            assertThat(ping.out()).contains("handshake").containsPattern("5 calls: min [0-9.]+ ms, median [0-9.]+ ms, max");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void exitStatusesTellFailuresApart(String transport) throws Exception {
        try (Kaarpc.Background server = serve(transport, "s")) {
            String a = served;
            Kaarpc.Result remote = Kaarpc.run("call", a, "fail", "boom", "--secret", "s");
            assertThat(remote.status()).isEqualTo(1);
            assertThat(remote.err()).contains("Exception during RPC call 'fail'; remote traceback follows:")
                    .contains("DemoService.fail").contains("IllegalArgumentException: boom");
            assertThat(remote.out()).isEmpty();

            Kaarpc.Result unknown = Kaarpc.run("call", a, "nope", "--secret", "s");
            assertThat(unknown.status()).isEqualTo(1);
            assertThat(unknown.err()).contains("KeyError: 'nope'");

            Kaarpc.Result wrongSecret = Kaarpc.run("call", a, "echo", "1", "--secret", "wrong");
            assertThat(wrongSecret.status()).isEqualTo(3);
            assertThat(wrongSecret.err()).contains("authentication failed");

            Kaarpc.Result slow = Kaarpc.run("call", a, "slow", "5", "x", "--secret", "s", "--timeout", "300ms");
            assertThat(slow.status()).isEqualTo(4);
            assertThat(slow.err()).contains("no answer to 'slow' within 300ms");

            Kaarpc.Result usage = Kaarpc.run("call", a, "echo", "--timeout", "soon");
            assertThat(usage.status()).isEqualTo(2);
            assertThat(usage.err()).contains("'soon' is not a duration");
            assertThat(Kaarpc.run("call", a).status()).isEqualTo(2);

            assertThat(server.terminate()).isIn(0, 143);
            assertThat(server.stderr()).contains("client connected").contains("server closed")
                    .contains("authentication failed for client");
        }
        if (transport.equals("unix")) {
            assertThat(dir.resolve("kaarpc.sock")).doesNotExist();
        }
    }

    @Test
    void versionIsTheBuiltOne() throws Exception {
        Kaarpc.Result version = Kaarpc.run("--version");
        assertThat(version.status()).isZero();
        assertThat(version.out().strip()).isEqualTo("kaarpc " + System.getProperty("kaarpc.version"));
    }

    @Test
    void completionForBashAndZshIsGeneratedAndParses() throws Exception {
        Kaarpc.Result script = Kaarpc.run("generate-completion");
        assertThat(script.status()).as(script.err()).isZero();
        assertThat(script.out()).contains("complete -F", "serve", "call", "ping", "demo", "--secret");
        Path file = dir.resolve("kaarpc_completion");
        Files.writeString(file, script.out());
        // the script must be valid bash (zsh reads it through bashcompinit)
        Kaarpc.Result parsed = Kaarpc.runToEnd(List.of("bash", "-n", file.toString()), Map.of());
        assertThat(parsed.status()).as(parsed.err()).isZero();
        // and sourcing it registers the completion function for kaarpc
        Kaarpc.Result sourced = Kaarpc.runToEnd(List.of("bash", "-c", "source " + file + " && complete -p kaarpc"),
                Map.of());
        assertThat(sourced.out()).as(sourced.err()).contains("kaarpc");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void nobodyListeningIsRefused(String transport) throws Exception {
        String nowhere = transport.equals("tcp") ? "127.0.0.1:1" : dir.resolve("none.sock").toString();
        Kaarpc.Result refused = Kaarpc.run("call", nowhere, "echo", "1");
        assertThat(refused.status()).isEqualTo(3);
        assertThat(refused.err()).containsAnyOf("connection refused", "no such socket file");
    }

    @Test
    void aPeerThatNeverHandshakesTimesOut() throws Exception {
        try (ServerSocket mute = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Kaarpc.Result r = Kaarpc.run("call", "127.0.0.1:" + mute.getLocalPort(), "echo", "1",
                    "--connect-timeout", "500ms");
            assertThat(r.status()).isEqualTo(3);
            assertThat(r.err()).contains("handshake timed out");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void pythonClientAgainstKaarpcServe(String transport) throws Exception {
        try (Kaarpc.Background server = serve(transport, "sekrit")) {
            Kaarpc.Result python = Kaarpc.runToEnd(List.of("python3", Kaarpc.pythonPeer().toString(), "client",
                    served, "sekrit"), Map.of());
            assertThat(python.out().lines()).as(python.err()).contains("echo 'hi'", "add 5", "greet_kw 'hi bob'",
                    "fail raised ValueError 'boom'", "slow 'late'", "whoami 'server'",
                    "callback ['callback', ['client', 7]]", "nope raised KeyError \"'nope'\"", "done");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void kaarpcCallAgainstAPythonServer(String transport) throws Exception {
        String listen = transport.equals("tcp") ? "127.0.0.1:0" : dir.resolve("py.sock").toString();
        try (Kaarpc.Background python = new Kaarpc.Background(List.of("python3",
                Kaarpc.pythonPeer().toString(), "serve", listen, "sekrit"))) {
            String a = python.readLine().substring("READY ".length());
            Map<String, String> env = Map.of("KAARPC_SECRET", "sekrit");
            assertThat(call(env, a, "greet", "bob", "--kw", "greeting=hi")).isEqualTo("\"hi bob\"");
            assertThat(call(env, a, "types")).isEqualTo("[null, true, 1, 1099511627776, 1180591620717411303424, 1.5, "
                    + "\"unicode \u00e9\", {\"$bytes\": \"Ynl0ZXMA/w==\"}, [1, 2], [3], {\"k\": \"v\"}, [1]]");
            assertThat(call(env, a, "callback", "echo", "3")).isEqualTo("[\"callback\", 3]");
            Kaarpc.Result fail = Kaarpc.run(env, "call", a, "fail", "boom");
            assertThat(fail.status()).isEqualTo(1);
            assertThat(fail.err()).contains("raise ValueError(msg)").contains("ValueError: boom");
            Kaarpc.Result wrong = Kaarpc.run(Map.of("KAARPC_SECRET", "nope"), "call", a, "echo", "1");
            assertThat(wrong.status()).isEqualTo(3);
            assertThat(wrong.err()).contains("authentication failed");
        }
    }

    private static String call(Map<String, String> env, String... args) throws Exception {
        String[] full = new String[args.length + 1];
        full[0] = "call";
        System.arraycopy(args, 0, full, 1, args.length);
        Kaarpc.Result r = Kaarpc.run(env, full);
        assertThat(r.status()).as("kaarpc %s: %s", String.join(" ", full), r.err()).isZero();
        return r.out().strip();
    }
}
