package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.Map;
import java.util.stream.Stream;
import kaa.rpc.demo.DemoService;
import kaa.rpc.internal.pickle.Pk;
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

    static Stream<Arguments> hostile() {
        Pk deep = Pk.proto();
        deep.times(100_000, () -> deep.op(']'));
        deep.times(99_999, () -> deep.op('a'));
        deep.op('.');

        Pk hugeInt = Pk.proto().op('L').text("9".repeat(100_000)).text("L\n").op('.');
        byte[] megabyte = new byte[1 << 20];
        megabyte[megabyte.length - 1] = 0x40;
        Pk binaryInt = Pk.proto().counted(0x8b, megabyte, 4).op('.');
        return Stream.of(
                Arguments.of("GLOBAL os.system + REDUCE", Pk.proto().text("cos\nsystem\n").str("touch /tmp/pwned")
                        .op(0x85, 'R', '.').bytes(), "TypeError", "malformed CALL"),
                Arguments.of("GLOBAL of a Java class", Pk.proto().text("cjava.lang.Runtime\ngetRuntime\n")
                        .op(')', 'R', '.').bytes(), "TypeError", "malformed CALL"),
                Arguments.of("__builtin__.eval", Pk.proto().text("c__builtin__\neval\n").str("1+1")
                        .op(0x85, 'R', '.').bytes(), "TypeError", "malformed CALL"),
                Arguments.of("100,000-deep nesting", deep.bytes(), "ValueError", "nested deeper than 512"),
                Arguments.of("a billion-character string declared", Pk.proto().op('X', 0, 0xca, 0x9a, 0x3b)
                        .text("short").op('.').bytes(), "ValueError", "exceeds the"),
                Arguments.of("100,000-digit integer", hugeInt.bytes(), "ValueError", "100001 digits"),
                Arguments.of("truncated stream", Pk.proto().str("echo").op(0x85).bytes(), "ValueError",
                        "malformed CALL payload"),
                Arguments.of("unknown opcode", Pk.proto().op(0xff, '.').bytes(), "ValueError", "malformed CALL payload"),
                Arguments.of("command that is not a string", LimitsTest.pickle(new Object[] {7, new Object[0],
                    Map.of()}), "TypeError", "malformed CALL"),
                Arguments.of("persistent id", Pk.proto().str("x").op('Q', '.').bytes(), "ValueError", "not accepted"),
                Arguments.of("a 1 MB int (LONG4), rendered by its size", binaryInt.bytes(), "TypeError",
                        "got int <int of 8388607 bits>"),
                Arguments.of("a class, never called, as an argument", Pk.proto().str("greet").global("mod", "C")
                        .op(0x85, '}', 0x87, '.').bytes(), "TypeError", "expected String, got type <class 'mod.C'>"),
                Arguments.of("Decimal('1e30000000')", Pk.proto().str("echo").global("decimal", "Decimal")
                        .str("1e30000000").op(0x85, 'R', 0x85, '}', 0x87, '.').bytes(), "ValueError",
                        "Decimal() with exponent 30000000 refused (at most 5000 either way)"),
                Arguments.of("self-referencing list", Pk.proto().op(']', 'q', 0, 'h', 0, 'a', '.').bytes(),
                        "ValueError", "refers to itself"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void answeredWithAClearErrorAndNothingElseIsHarmed(String name, byte[] payload, String type, String message)
            throws Exception {
        try (RawPeer peer = new RawPeer(server.address()).authenticate("s")) {
            peer.send(41, "CALL", payload);
            WireFrames.Frame answer = peer.read();
            assertThat(answer.type()).isEqualTo("EXCP");
            assertThat(answer.seq()).isEqualTo(41);
            String exc = ((Object[]) answer.value())[0].toString();
            assertThat(exc).startsWith(type).contains(message).doesNotContain("kaa.rpc.internal", "$$", "0x0");

            peer.call(42, "echo", "still here");
            WireFrames.Frame ok = peer.read();
            assertThat(ok.seq()).isEqualTo(42);
            assertThat(ok.value()).isEqualTo("still here");
        }
        assertThat(await(bystander.rpc("echo", name))).isEqualTo(name);
        assertThat(new File("/tmp/pwned")).doesNotExist();
    }
}
