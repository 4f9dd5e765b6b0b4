package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real peer processes that die or freeze mid-call: every pending call ends, promptly, with a clear error. */
class FaultTest {

    @TempDir
    Path dir;

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    @Test
    void aServerKilledMidCallFailsThePendingCallsAtOnce() throws Exception {
        try (PythonPeer python = PythonPeer.start(dir, "serve", "127.0.0.1:0", "s")) {
            String address = python.readLine().substring("READY ".length());
            try (Client client = Client.connect(address, "s")) {
                CompletableFuture<Object> slow = client.rpc("slow", 30.0, "never");
                assertThat(await(client.rpc("echo", "alive"))).isEqualTo("alive");
                signal("KILL", python.pid());
                Throwable t = failure(slow);
                assertThat(t).isInstanceOf(NotConnectedException.class).hasMessageContaining("call 'slow' failed");
            }
        }
    }

    @Test
    void aFrozenServerIsDetectedByTheHeartbeat() throws Exception {
        try (PythonPeer python = PythonPeer.start(dir, "serve", "127.0.0.1:0", "s")) {
            String address = python.readLine().substring("READY ".length());
            try (Client client = Client.builder(address).secret("s")
                    .heartbeat(Duration.ofMillis(300), Duration.ofMillis(300)).connect()) {
                assertThat(await(client.rpc("echo", "alive"))).isEqualTo("alive");
                CompletableFuture<Throwable> closed = client.closed().next();
                CompletableFuture<Object> pending = client.rpc("slow", 30.0, "never");
                signal("STOP", python.pid());
                try {
                    assertThat(await(closed)).hasMessageContaining("peer unresponsive");
                    assertThat(failure(pending)).isInstanceOf(NotConnectedException.class)
                            .hasMessageContaining("peer unresponsive");
                } finally {
                    signal("CONT", python.pid());
                }
            }
        }
    }

    /** Calls the client back from inside a call, and keeps the future of that call for the test. */
    public static class CallsBack {
        final CompletableFuture<CompletableFuture<Object>> toClient = new CompletableFuture<>();

        @Expose(addClient = true)
        public String start(Channel peer) {
            toClient.complete(peer.rpc("hang", 1));
            return "ok";
        }
    }

    @Test
    void aClientKilledMidCallFailsTheServersPendingCallsToIt() throws Exception {
        CallsBack service = new CallsBack();
        try (Server server = Server.listen("127.0.0.1:0", "s").register(service);
                PythonPeer python = PythonPeer.start(dir, "client-hang", server.address(), "s")) {
            assertThat(python.readLine()).isEqualTo("started ok");
            CompletableFuture<Object> pending = await(service.toClient);
            assertThat(pending).isNotDone();
            signal("KILL", python.pid());
            assertThat(failure(pending)).isInstanceOf(NotConnectedException.class)
                    .hasMessageContaining("call 'hang' failed");
        }
    }
}
