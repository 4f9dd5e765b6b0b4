package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Python peers against our Server and Client, over TCP and Unix sockets: every call of the captured sessions, both
 * directions. Each test runs against the wire protocol with Python's own pickle (as the original kaa.rpc speaks
 * it) and against this repository's Python 3 package.
 */
class PythonInteropTest {

    static Stream<Arguments> peers() {
        return Stream.of(PythonPeer.Kind.values())
                .flatMap(k -> Stream.of(Peers.Transport.values()).map(t -> Arguments.of(k, t)));
    }

    @TempDir
    Path dir;

    public static class ClientSide {
        @Expose
        public List<Object> client_echo(Object x) {
            return List.of("client", x);
        }
    }

    @ParameterizedTest
    @MethodSource("peers")
    void pythonClientCallsJavaServer(PythonPeer.Kind kind, Peers.Transport transport) throws Exception {
        try (Server server = Peers.server(transport, dir, "sekrit").register(new DemoService())) {
            List<String> lines = PythonPeer.run(kind, dir, "client", server.address(), "sekrit");
            assertThat(lines).contains(
                    "echo 'hi'",
                    "add 5",
                    "greet 'hello bob'",
                    "greet_kw 'hi bob'",
                    "fail raised ValueError 'boom'",
                    "slow 'late'",
                    "whoami 'server'",
                    "callback ['callback', ['client', 7]]",
                    "types [None, True, 1, 1099511627776, 1180591620717411303424, 1.5, 'unicode \\xe9', "
                            + "b'bytes\\x00\\xff', (1, 2), [3], {'k': 'v'}, {1}]",
                    "bytes b'\\x00\\xffraw'",
                    "nope raised KeyError \"'nope'\"",
                    "done");
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("fail traceback '  File \"DemoService.java\", line ")
                    .contains("in kaa.rpc.demo.DemoService.fail"));
            assertThat(lines).anySatisfy(l -> assertThat(l)
                    .startsWith("wrong_args raised TypeError 'add() takes 2 arguments (1 given)'"));
        }
    }

    @ParameterizedTest
    @MethodSource("peers")
    void javaClientCallsPythonServer(PythonPeer.Kind kind, Peers.Transport transport) throws Exception {
        try (PythonPeer python = PythonPeer.server(kind, transport, dir, "py.sock", "sekrit")) {
            try (Client client = Client.connect(python.address(), "sekrit")) {
                client.register(new ClientSide());
                assertThat(await(client.whenOpen())).isSameAs(client);
                assertThat(await(client.rpc("echo", "hi"))).isEqualTo("hi");
                assertThat(await(client.rpc("add", 2, 3))).isEqualTo(5);
                assertThat(await(client.rpc("greet", "bob", Kwargs.of("greeting", "hi")))).isEqualTo("hi bob");
                assertThat(await(client.rpc("greet", "bob"))).isEqualTo("hello bob");
                assertThat(await(client.rpc("slow", 0.2, "late"))).isEqualTo("late");
                assertThat(await(client.rpc("whoami"))).isEqualTo("server");
                assertThat(await(client.rpc("callback", "client_echo", 7)))
                        .isEqualTo(List.of("callback", List.of("client", 7)));
                assertThat(await(client.rpc("echo", new byte[] {0, (byte) 0xff}))).isEqualTo(new byte[] {0, (byte) 0xff});

                @SuppressWarnings("unchecked")
                List<Object> types = (List<Object>) await(client.rpc("types"));
                assertThat(types).hasSize(12);
                assertThat(types.subList(0, 7)).containsExactly(null, true, 1, 1L << 40, BigInteger.TWO.pow(70), 1.5,
                        "unicode \u00e9");
                assertThat((byte[]) types.get(7)).isEqualTo(new byte[] {'b', 'y', 't', 'e', 's', 0, (byte) 0xff});
                assertThat((Object[]) types.get(8)).containsExactly(1, 2);
                assertThat(types.subList(9, 12)).containsExactly(List.of(3), Map.of("k", "v"), Set.of(1));

                RemoteException boom = (RemoteException) failure(client.rpc("fail", "boom"));
                assertThat(boom.remoteType()).isEqualTo("ValueError");
                assertThat(boom.remoteMessage()).isEqualTo("boom");
                assertThat(boom.frames()).last().satisfies(f -> {
                    assertThat(f.function()).isEqualTo("fail");
                    assertThat(f.source()).isEqualTo("raise ValueError(msg)");
                });
                RemoteException nope = (RemoteException) failure(client.rpc("nope"));
                assertThat(nope.remoteType()).isEqualTo("KeyError");
                assertThat(nope.remoteMessage()).isEqualTo("'nope'");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("peers")
    void wrongSecretIsAClearErrorOnBothSides(PythonPeer.Kind kind, Peers.Transport transport) throws Exception {
        try (Server server = Peers.server(transport, dir, "sekrit").register(new DemoService())) {
            assertThat(PythonPeer.run(kind, dir, "client", server.address(), "wrong"))
                    .containsExactly(kind == PythonPeer.Kind.PACKAGE ? "handshake failed AuthenticationError"
                            : "handshake failed EOFError");
        }
        try (PythonPeer python = PythonPeer.server(kind, transport, dir, "py2.sock", "sekrit")) {
            try (Client client = Client.connect(python.address(), "wrong")) {
                assertThat(failure(client.whenOpen())).isInstanceOf(AuthenticationException.class)
                        .hasMessageContaining("secret");
                assertThat(failure(client.rpc("echo", 1))).isInstanceOf(NotConnectedException.class);
            }
        }
    }

    public static class JobFailedException extends Exception {
        public JobFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The Python demo server as a typed interface: both forms of echo, one way too, and a mapped error. */
    public interface PythonDemo {
        @Expose
        String echo(String x);

        @Expose("echo")
        CompletableFuture<String> echoAsync(String x);

        @Expose(value = "echo", oneWay = true)
        void echoOneWay(String x);

        @Expose
        String fail(String why) throws JobFailedException;
    }

    @ParameterizedTest
    @MethodSource("peers")
    void aTypedInterfaceServesAgainstAPythonServer(PythonPeer.Kind kind, Peers.Transport transport) throws Exception {
        try (PythonPeer python = PythonPeer.server(kind, transport, dir, "py3.sock", "sekrit")) {
            try (Client client = Client.builder(python.address()).secret("sekrit")
                    .remoteErrors(e -> e.remoteType().equals("ValueError")
                            ? new JobFailedException("the job failed: " + e.remoteMessage(), e) : null)
                    .connect()) {
                PythonDemo demo = client.proxy(PythonDemo.class);
                demo.echoOneWay("nobody waits"); // answered as any call; the answer is dropped
                assertThat(demo.echo("hi")).isEqualTo("hi");
                assertThat(await(demo.echoAsync("later"))).isEqualTo("later");
                assertThatThrownBy(() -> demo.fail("boom")).isExactlyInstanceOf(JobFailedException.class)
                        .hasMessage("the job failed: boom")
                        .cause().isInstanceOf(RemoteException.class);
                long until = System.nanoTime() + Peers.WAIT.toNanos();
                while (client.session.callsInFlight() > 0 && System.nanoTime() < until) {
                    Thread.onSpinWait(); // the one-way call's answer comes in its own time
                }
                assertThat(client.session.callsInFlight()).isZero(); // it came, and went
            }
        }
    }
}
