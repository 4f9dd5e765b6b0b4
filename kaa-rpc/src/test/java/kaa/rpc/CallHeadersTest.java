package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.SendPolicy;
import kaa.rpc.internal.value.PyObject;
import org.junit.jupiter.api.Test;

/**
 * A CALH (a call with headers) from a peer: a well-formed one runs as its
 * call, with its headers shown to the interceptors; any other is answered
 * with a TypeError, and the connection goes on.
 */
class CallHeadersTest {

    public static class Echo {
        @Expose
        public Object echo(Object x) {
            return x;
        }
    }

    private static byte[] calh(int seq, Object... payload) {
        ByteBuf b = Unpooled.buffer();
        PickleWriter.write(b, payload, false);
        byte[] bytes = ByteBufUtil.getBytes(b);
        return WireFrames.frame(seq, "CALH", bytes);
    }

    private static String typeOf(WireFrames.Frame answer) throws Exception {
        Object[] excp = (Object[]) answer.value();
        return ((PyObject) excp[0]).name();
    }

    /** The headers of each call an interceptor of a test's server sees, the last one's last. */
    private final AtomicReference<Map<String, String>> seen = new AtomicReference<>();

    /** A server whose incoming interceptor records each call's headers in {@link #seen}. */
    private Server recordingServer() throws IOException {
        return Server.builder("127.0.0.1:0").secret("s").interceptIncoming((call, next) -> {
            seen.set(call.headers());
            return next.proceed(call);
        }).listen().register(new Echo());
    }

    @Test
    void aPeersCalhIsAnsweredOrRefusedAndTheConnectionGoesOn() throws Exception {
        Map<String, Object> tooMany = new LinkedHashMap<>();
        for (int i = 0; i < 33; i++) {
            tooMany.put("h" + i, "v");
        }
        try (Server server = recordingServer();
                RawPeer peer = new RawPeer(server.address()).authenticateAsThisLibrary("s")) {
            peer.sendRaw(calh(1, "echo", new Object[] {"x"}, Map.of(), Map.of("trace", "t1")));
            WireFrames.Frame ok = peer.read();
            assertThat(ok.type()).isEqualTo("RETN");
            assertThat(ok.value()).isEqualTo("x");
            assertThat(seen.get()).containsExactly(Map.entry("trace", "t1"));

            List<Object[]> hostile = List.of(
                    new Object[] {"echo", new Object[] {"x"}, Map.of()}, // three items: a CALL's, not a CALH's
                    new Object[] {"echo", new Object[] {"x"}, Map.of(), "not a dict"},
                    new Object[] {"echo", new Object[] {"x"}, Map.of(), Map.of("n", 1L)},
                    new Object[] {"echo", new Object[] {"x"}, Map.of(), Map.of(7L, "v")},
                    new Object[] {"echo", new Object[] {"x"}, Map.of(), Map.of("n", "v".repeat(4097))},
                    new Object[] {"echo", new Object[] {"x"}, Map.of(), Map.of("n".repeat(257), "v")},
                    new Object[] {"echo", new Object[] {"x"}, Map.of(), tooMany});
            int seq = 2;
            for (Object[] payload : hostile) {
                peer.sendRaw(calh(seq, payload));
                WireFrames.Frame answer = peer.read();
                assertThat(answer.seq()).isEqualTo(seq);
                assertThat(answer.type()).isEqualTo("EXCP");
                assertThat(typeOf(answer)).isEqualTo("TypeError");
                seq++;
            }
            peer.call(seq, "echo", "still here");
            assertThat(peer.read().value()).isEqualTo("still here");
        }
    }

    @Test
    void aCalhRunsAsItsCallWithoutInterceptorsToo() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new Echo());
                RawPeer peer = new RawPeer(server.address()).authenticate("s")) {
            peer.sendRaw(calh(1, "echo", new Object[] {"y"}, Map.of(), Map.of("a", "b")));
            assertThat(peer.read().value()).isEqualTo("y");
        }
    }

    @Test
    void headersAnOutgoingInterceptorAddsReachAJavaCallee() throws Exception {
        try (Server server = recordingServer();
                Client client = Client.builder(server.address()).secret("s")
                        .interceptOutgoing((call, next) -> next.proceed(call.withHeader("a", "1")
                                .withHeader("b", "2").withHeader("a", "3")))
                        .connect()) {
            assertThat(await(client.rpc("echo", 1))).isEqualTo(1);
            assertThat(seen.get()).containsExactly(Map.entry("a", "3"), Map.entry("b", "2"));
        }
    }

    @Test
    void aPeerThatDidNotSayItIsOfThisLibrarySendsNoHeaders() throws Exception {
        try (Server server = recordingServer();
                RawPeer peer = new RawPeer(server.address()).authenticate("s")) { // an unmarked, Python-like client
            ByteBuf b = Unpooled.buffer();
            PickleWriter.writeCall(b, "echo", new Object[] {"x"}, Map.of(), Map.of("traceparent", "forged"), false,
                    SendPolicy.DEFAULT);
            peer.send(1, "CALH", ByteBufUtil.getBytes(b));
            b.release();
            WireFrames.Frame answer = peer.read();
            assertThat(answer.type()).isEqualTo("RETN");
            assertThat(answer.value()).isEqualTo("x");
            assertThat(seen.get()).as("its headers are dropped").isEmpty();
        }
    }
}
