package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import kaa.rpc.demo.DemoService;
import kaa.rpc.internal.pickle.PickleReader;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.Pk;
import kaa.rpc.internal.pickle.SendPolicy;
import kaa.rpc.internal.value.PyObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one peer sent as a Python object is not handed to another to unpickle:
 * only builtin exceptions and datetime values are sent on, unless a channel
 * allows more by module and class name; and no name can smuggle opcodes.
 */
class PythonObjectsTest {

    @TempDir
    Path dir;

    /** {@code echo(module.name(arg))}, as Python pickles an object whose reduce is {@code (module.name, (arg,))}. */
    private static byte[] echoOf(String module, String name, String arg) {
        return Pk.proto().str("echo").global(module, name).str(arg).op(0x85, 'R', 0x85, '}', 0x87).end();
    }

    @Test
    void anObjectThatWouldRunCodeIsNotSentOn() throws Exception {
        Path pwned = dir.resolve("pwned");
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new DemoService());
                RawPeer peer = new RawPeer(server.address()).authenticate("s")) {
            for (String[] callable : List.of(new String[] {"posix", "system"}, new String[] {"builtins", "eval"},
                    new String[] {"subprocess", "Popen"})) {
                peer.send(1, "CALL", echoOf(callable[0], callable[1], "touch " + pwned));
                WireFrames.Frame answer = peer.read();
                assertThat(answer.type()).isEqualTo("EXCP");
                assertThat(((Object[]) answer.value())[0].toString()).startsWith("TypeError(")
                        .contains("cannot send a Python " + (callable[0].equals("builtins") ? "" : callable[0] + ".")
                                + callable[1] + " object");
                // the answer names the class only as text: no GLOBAL of it goes back
                assertThat(new String(answer.payload(), StandardCharsets.ISO_8859_1))
                        .doesNotContain("c" + callable[0] + "\n" + callable[1]);
            }
            peer.call(2, "echo", "still here");
            assertThat(peer.read().value()).isEqualTo("still here");
        }
        assertThat(pwned).doesNotExist();
    }

    @Test
    void builtinExceptionsAndDatetimeValuesAreSentOn() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new DemoService());
                RawPeer peer = new RawPeer(server.address()).authenticate("s")) {
            peer.send(1, "CALL", echoOf("builtins", "ValueError", "boom"));
            WireFrames.Frame error = peer.read();
            assertThat(error.type()).isEqualTo("RETN");
            assertThat(error.value().toString()).isEqualTo("ValueError('boom')");
            peer.send(2, "CALL", Pk.proto().str("echo").global("datetime", "date")
                    .counted('C', new byte[] {7, (byte) 0xea, 11, 30}, 1).op(0x85, 'R', 0x85, '}', 0x87).end());
            WireFrames.Frame date = peer.read();
            assertThat(date.type()).isEqualTo("RETN");
            assertThat(new String(date.payload(), StandardCharsets.ISO_8859_1))
                    .contains("cdatetime\ndate\n");
        }
    }

    @Test
    void aChannelMayAllowClassesItKnows() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s")
                .sendPythonObjects((module, name) -> module.equals("myapp")).register(new DemoService()).listen();
                RawPeer peer = new RawPeer(server.address()).authenticate("s")) {
            peer.send(1, "CALL", echoOf("myapp", "Point", "p"));
            WireFrames.Frame point = peer.read();
            assertThat(point.type()).isEqualTo("RETN");
            assertThat(point.value().toString()).isEqualTo("myapp.Point('p')");
            peer.send(2, "CALL", echoOf("posix", "system", "true"));
            assertThat(peer.read().type()).isEqualTo("EXCP");
        }
    }

    @Test
    void aClientDoesNotSendOnWhatAServerGaveIt() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new DemoService());
                Client client = Client.connect(server.address(), "s")) {
            Object object = PickleReader.load(Pk.proto().global("posix", "system").str("true").op(0x85, 'R').end());
            assertThatThrownBy(() -> client.rpc("echo", object).join()).hasCauseInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot send a Python posix.system object");
            assertThat(await(client.rpc("echo", "fine"))).isEqualTo("fine");
        }
    }

    @Test
    void namesThatAreNotDottedIdentifiersAreRefusedBothWays() {
        // STACK_GLOBAL with a newline in the module: as GLOBAL it would be read as opcodes
        assertThatThrownBy(() -> PickleReader.load(Pk.proto().str("collections\nOrderedDict").str("x").op(0x93)
                .op(')', 'R').end())).hasMessageContaining("dotted Python identifiers");
        ByteBuf out = Unpooled.buffer();
        assertThatThrownBy(() -> PickleWriter.write(out, new PyObject("os\nsystem", "x", new Object[0]), false,
                SendPolicy.allowing((m, n) -> true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not dotted Python identifiers");
        assertThatThrownBy(() -> PickleWriter.write(out, new PyObject("caf\u00e9", "x", new Object[0]), false,
                SendPolicy.allowing((m, n) -> true)))
                .isInstanceOf(IllegalArgumentException.class);
        out.release();
        assertThat(Files.exists(Path.of("/tmp/pwned"))).isFalse();
    }
}
