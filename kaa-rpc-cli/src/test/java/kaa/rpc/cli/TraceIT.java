package kaa.rpc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code --trace} on call, serve and ping: the wire trace of the command's connections on stderr. */
class TraceIT {

    private static final Map<String, String> ENV = Map.of("KAARPC_SECRET", "s");

    private static Kaarpc.Background serve(String... extra) throws Exception {
        String[] args = new String[2 + extra.length];
        args[0] = "serve";
        args[1] = "127.0.0.1:0";
        System.arraycopy(extra, 0, args, 2, extra.length);
        Kaarpc.Background server = new Kaarpc.Background(Kaarpc.command(args));
        return server;
    }

    private static String address(Kaarpc.Background server) throws Exception {
        String ready = server.readLine();
        assertThat(ready).as("stderr: %s", server.stderr()).startsWith("READY ");
        return ready.substring("READY ".length());
    }

    @Test
    void callTracesItsCallAndTheAnswerAndServeTracesThemToo() throws Exception {
        try (Kaarpc.Background server = serve("--secret", "s", "--trace")) {
            String a = address(server);
            Kaarpc.Result r = Kaarpc.run(ENV, "call", "--trace", a, "add", "2", "3");
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out().strip()).isEqualTo("5");
            List<String> lines = r.err().lines().collect(Collectors.toList());
            String time = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
            String ends = "c\\d+ 127\\.0\\.0\\.1:\\d+ ";
            assertThat(lines).anyMatch(l -> l.matches(time + " " + ends + "<- 127\\.0\\.0\\.1:\\d+ AUTH seq=0 72B \\[handshake\\]"));
            assertThat(lines).anyMatch(l -> l.matches(time + " " + ends + "-- 127\\.0\\.0\\.1:\\d+ \\[handshake ok, java peer\\]"));
            String call = lines.stream().filter(l -> l.contains(" CALL ")).findFirst().orElseThrow();
            assertThat(call).matches(time + " " + ends + "-> 127\\.0\\.0\\.1:\\d+ CALL seq=1 cmd=add (\\d+)B \\(2, 3\\)");
            String retn = lines.stream().filter(l -> l.contains(" RETN ")).findFirst().orElseThrow();
            // an answer names its call and how long it took
            assertThat(retn).matches(time + " " + ends + "<- 127\\.0\\.0\\.1:\\d+ RETN seq=1 cmd=add \\d+B "
                    + "\\d+\\.\\d{3}ms 5");

            // the server traced the same frames, the other way round, with the same sizes
            List<String> served = server.stderr().lines().collect(Collectors.toList());
            String got = served.stream().filter(l -> l.contains(" CALL ")).findFirst().orElseThrow();
            assertThat(got).contains(" <- ").contains("CALL seq=1 cmd=add " + size(call) + "B (2, 3)");
            String answered = served.stream().filter(l -> l.contains(" RETN ")).findFirst().orElseThrow();
            assertThat(answered).contains(" -> ").contains("RETN seq=1 cmd=add " + size(retn) + "B ").endsWith("ms 5");
        }
    }

    @Test
    void jsonLinesCarryTheSameFields() throws Exception {
        try (Kaarpc.Background server = serve("--secret", "s")) {
            String a = address(server);
            Kaarpc.Result r = Kaarpc.run(ENV, "call", "--trace-format", "json", a, "echo", "hi");
            assertThat(r.status()).as(r.err()).isZero();
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> lines = new java.util.ArrayList<>();
            for (String l : r.err().lines().collect(Collectors.toList())) {
                lines.add(json.readTree(l)); // every line of stderr is one JSON object
            }
            JsonNode call = lines.stream().filter(n -> "CALL".equals(n.path("type").asText())).findFirst().orElseThrow();
            assertThat(call.get("dir").asText()).isEqualTo("out");
            assertThat(call.get("seq").asLong()).isEqualTo(1);
            assertThat(call.get("command").asText()).isEqualTo("echo");
            assertThat(call.get("bytes").asLong()).isGreaterThan(12);
            assertThat(call.get("value").asText()).isEqualTo("('hi',)");
            assertThat(call.get("conn").asText()).matches("c\\d+");
            assertThat(call.get("local").asText()).startsWith("127.0.0.1:");
            assertThat(call.get("remote").asText()).isEqualTo(a);
            JsonNode retn = lines.stream().filter(n -> "RETN".equals(n.path("type").asText())).findFirst().orElseThrow();
            assertThat(retn.get("dir").asText()).isEqualTo("in");
            assertThat(retn.get("seq").asLong()).isEqualTo(1);
            assertThat(retn.get("value").asText()).isEqualTo("'hi'");
            assertThat(lines).anyMatch(n -> "RESP".equals(n.path("type").asText())
                    && "handshake".equals(n.path("note").asText()) && !n.has("value"));
        }
    }

    @Test
    void pingTracesItsTimedCalls() throws Exception {
        try (Kaarpc.Background server = serve("--secret", "s")) {
            String a = address(server);
            Kaarpc.Result r = Kaarpc.run(ENV, "ping", "--trace", a, "--count", "3");
            assertThat(r.status()).as(r.err()).isZero();
            List<String> calls = r.err().lines().filter(l -> l.contains(" CALL ")).collect(Collectors.toList());
            assertThat(calls).hasSize(3).allMatch(l -> l.contains("cmd=__kaarpc_ping__"));
            assertThat(r.err().lines().filter(l -> l.contains(" EXCP ")).count()).isEqualTo(3);
        }
    }

    private static long size(String line) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" (\\d+)B").matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return Long.parseLong(m.group(1));
    }
}
