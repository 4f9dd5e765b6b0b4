package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Interceptors with a Python peer: a refusal it reads, and headers it never sees. */
class InterceptorPythonTest {

    @TempDir
    Path dir;

    @Test
    void aPythonCallerReadsARefusalAsARuntimeErrorWithItsMessage() throws Exception {
        List<IncomingCall> seen = new CopyOnWriteArrayList<>();
        IncomingInterceptor refuseEcho = (call, next) -> {
            seen.add(call);
            if (call.command().equals("echo")) {
                throw new CallRefusedException("echo is refused here");
            }
            return next.proceed(call);
        };
        try (Server server = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(refuseEcho).listen()
                .register(new DemoService())) {
            assertThat(PythonPeer.run(dir, "call", server.address(), "s", "echo", "1"))
                    .containsExactly("echo raised RuntimeError 'echo is refused here'", "echo traceback ''");
            assertThat(PythonPeer.run(dir, "call", server.address(), "s", "add", "1", "2"))
                    .containsExactly("add 3");
        }
        assertThat(seen).extracting(IncomingCall::command).containsExactly("echo", "add");
        assertThat(seen.get(0).connection().peerIsJava()).isFalse();
        assertThat(seen.get(0).headers()).isEmpty();
    }

    @Test
    void headersNeverReachAPythonPeerAndItsCallsGoOn() throws Exception {
        AtomicReference<ConnectionInfo> connection = new AtomicReference<>();
        OutgoingInterceptor tag = (call, next) -> {
            connection.set(call.connection());
            return next.proceed(call.withHeader("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        };
        try (PythonPeer python = PythonPeer.start(dir, "serve", "127.0.0.1:0", "s")) {
            String ready = python.readLine();
            try (Client client = Client.builder(ready.substring(6)).secret("s").interceptOutgoing(tag).connect()) {
                // before open (queued) and after: both go as the CALL a Python peer reads
                assertThat(await(client.rpc("echo", "first"))).isEqualTo("first");
                assertThat(await(client.rpc("echo", Map.of("k", "v")))).isEqualTo(Map.of("k", "v"));
                assertThat(connection.get().peerIsJava()).isFalse();
                assertThat(client.isConnected()).isTrue();
            }
        }
    }
}
