package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pickles written to do harm, sent as the payload of a CALL: each gets a clear
 * error answer, runs nothing, allocates nothing out of proportion, and the
 * connection and the server go on serving.
 */
class HostilePickleTest {

    static Server server;
    static Client bystander;

    @BeforeAll
    static void start() throws Exception {
        server = Server.listen("127.0.0.1:0", "s").register(new DemoService());
        bystander = Client.connect(server.address(), "s");
    }

    @AfterAll
    static void stop() {
        bystander.close();
        server.close();
    }

    /** A pickle built opcode by opcode. */
    private static final class P {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        P raw(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        P text(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            return this;
        }

        P str(String s) { // BINUNICODE
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            raw('X', b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, b.length >>> 24);
            out.writeBytes(b);
            return this;
        }

        P times(int n, Runnable r) {
            for (int i = 0; i < n; i++) {
                r.run();
            }
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private static P proto() {
        return new P().raw(0x80, 2);
    }

    static Stream<Arguments> hostile() {
        P deep = proto();
        deep.times(100_000, () -> deep.raw(']'));
        deep.times(99_999, () -> deep.raw('a'));
        deep.raw('.');

        P hugeInt = proto().raw('L').text("9".repeat(100_000)).text("L\n").raw('.');
        return Stream.of(
                Arguments.of("GLOBAL os.system + REDUCE", proto().text("cos\nsystem\n").str("touch /tmp/pwned")
                        .raw(0x85, 'R', '.').bytes(), "TypeError", "malformed CALL"),
                Arguments.of("GLOBAL of a Java class", proto().text("cjava.lang.Runtime\ngetRuntime\n")
                        .raw(')', 'R', '.').bytes(), "TypeError", "malformed CALL"),
                Arguments.of("__builtin__.eval", proto().text("c__builtin__\neval\n").str("1+1")
                        .raw(0x85, 'R', '.').bytes(), "TypeError", "malformed CALL"),
                Arguments.of("100,000-deep nesting", deep.bytes(), "ValueError", "nested deeper than 512"),
                Arguments.of("a billion-character string declared", proto().raw('X', 0, 0xca, 0x9a, 0x3b)
                        .text("short").raw('.').bytes(), "ValueError", "exceeds the"),
                Arguments.of("100,000-digit integer", hugeInt.bytes(), "ValueError", "100001 digits"),
                Arguments.of("truncated stream", proto().str("echo").raw(0x85).bytes(), "ValueError",
                        "malformed CALL payload"),
                Arguments.of("unknown opcode", proto().raw(0xff, '.').bytes(), "ValueError", "malformed CALL payload"),
                Arguments.of("command that is not a string", LimitsTest.pickle(new Object[] {7, new Object[0],
                    java.util.Map.of()}), "TypeError", "malformed CALL"),
                Arguments.of("persistent id", proto().str("x").raw('Q', '.').bytes(), "ValueError", "not accepted"),
                Arguments.of("self-referencing list", proto().raw(']', 'q', 0, 'h', 0, 'a', '.').bytes(),
                        "ValueError", "refers to itself"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void answeredWithAClearErrorAndNothingElseIsHarmed(String name, byte[] payload, String type, String message)
            throws Exception {
        try (RawPeer peer = new RawPeer(server.address()).authenticate("s")) {
            peer.send(41, "CALL", payload);
            RawPeer.Frame answer = peer.read();
            assertThat(answer.type()).isEqualTo("EXCP");
            assertThat(answer.seq()).isEqualTo(41);
            String exc = ((Object[]) answer.value())[0].toString();
            assertThat(exc).startsWith(type).contains(message);

            peer.call(42, "echo", "still here");
            RawPeer.Frame ok = peer.read();
            assertThat(ok.seq()).isEqualTo(42);
            assertThat(ok.value()).isEqualTo("still here");
        }
        assertThat(await(bystander.rpc("echo", name))).isEqualTo(name);
        assertThat(new java.io.File("/tmp/pwned")).doesNotExist();
    }
}
