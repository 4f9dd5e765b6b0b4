package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import kaa.rpc.Client;
import kaa.rpc.Kwargs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kaarpc proxy} as a user runs it, between the Python test peer and a Java client. */
class ProxyIT {

    @TempDir
    Path dir;

    @Test
    void aJavaClientThroughTheProxyToAPythonServerOverAUnixSocket() throws Exception {
        try (Kaarpc.Background python = new Kaarpc.Background(List.of("python3", Kaarpc.pythonPeer().toString(),
                "serve", "127.0.0.1:0", "sekrit"))) {
            String target = python.readLine().substring("READY ".length());
            String listen = dir.resolve("proxy.sock").toString();
            try (Kaarpc.Background proxy = new Kaarpc.Background(Kaarpc.command("proxy", listen, target))) {
                assertThat(proxy.readLine()).as(proxy.stderr()).isEqualTo("READY " + listen);
                try (Client client = Client.connect(listen, "sekrit")) {
                    assertThat(client.rpc("greet", "bob", Kwargs.of(Map.of("greeting", "hi")))
                            .get(Kaarpc.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("hi bob");
                    assertThat(client.rpc("add", 2, 3).get(Kaarpc.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(5);
                    try {
                        client.rpc("fail", "boom").get(Kaarpc.WAIT_SECONDS, TimeUnit.SECONDS);
                        throw new AssertionError("fail did not raise");
                    } catch (ExecutionException e) {
                        assertThat(e.getCause()).hasMessageContaining("ValueError").hasMessageContaining("boom");
                    }
                }
                List<String> seen = new ArrayList<>();
                String conn = "c\\d+ " + java.util.regex.Pattern.quote(listen) + " ";
                assertThat(line(proxy, seen, l -> l.contains(" AUTH ")))
                        .matches(".* c\\d+ .+ <- 127\\.0\\.0\\.1:\\d+ AUTH seq=0 72B \\[handshake\\]");
                assertThat(line(proxy, seen, l -> l.contains(" CALL seq=1 ")))
                        .matches(".* -> 127\\.0\\.0\\.1:\\d+ CALL seq=1 cmd=greet \\d+B \\('bob',\\) \\{'greeting': 'hi'\\}");
                assertThat(line(proxy, seen, l -> l.contains(" RETN seq=1 ")))
                        .matches(".* <- .* RETN seq=1 cmd=greet \\d+B \\d+\\.\\d{3}ms 'hi bob'");
                assertThat(line(proxy, seen, l -> l.contains(" CALL seq=2 "))).contains("cmd=add").endsWith("(2, 3)");
                assertThat(line(proxy, seen, l -> l.contains(" RETN seq=2 "))).contains("cmd=add").endsWith("ms 5");
                assertThat(line(proxy, seen, l -> l.contains(" EXCP seq=3 "))).contains("cmd=fail")
                        .contains("ValueError").contains("boom");
                assertThat(line(proxy, seen, l -> l.contains("[closed"))).isNotNull();
            }
        }
    }

    @Test
    void aWrongSecretThroughTheProxyIsStillAWrongSecret() throws Exception {
        try (Kaarpc.Background python = new Kaarpc.Background(List.of("python3", Kaarpc.pythonPeer().toString(),
                "serve", "127.0.0.1:0", "sekrit"))) {
            String target = python.readLine().substring("READY ".length());
            try (Kaarpc.Background proxy = new Kaarpc.Background(Kaarpc.command("proxy", "127.0.0.1:0", target,
                    "--json"))) {
                String address = proxy.readLine().substring("READY ".length());
                Kaarpc.Result wrong = Kaarpc.run(Map.of("KAARPC_SECRET", "nope"), "call", address, "echo", "1");
                assertThat(wrong.status()).isEqualTo(3);
                assertThat(wrong.err()).contains("authentication failed");
                assertThat(line(proxy, new ArrayList<>(), l -> l.contains("\"type\":\"RESP\"")))
                        .contains("\"note\":\"handshake\"").doesNotContain("\"value\"");
            }
        }
    }

    /** The next line of the proxy's output that {@code test} accepts (each read line is kept in {@code seen}). */
    private static String line(Kaarpc.Background proxy, List<String> seen, Predicate<String> test) throws Exception {
        for (String l = proxy.readLine(); l != null; l = proxy.readLine()) {
            seen.add(l);
            if (test.test(l)) {
                return l;
            }
        }
        throw new AssertionError("the proxy ended without such a line; it printed " + seen + "; stderr: "
                + proxy.stderr());
    }
}
