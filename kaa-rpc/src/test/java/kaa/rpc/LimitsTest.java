package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import kaa.rpc.demo.DemoService;
import kaa.rpc.internal.pickle.PickleWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bad input after the handshake gets a specific answer and harms nothing else. */
class LimitsTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void oversizedFrameClosesTheConnectionWithAClearReason(Peers.Transport transport) throws Exception {
        try (Server server = Server.builder(transport.listenAddress(dir)).secret("s").maxFrameSize(1024).listen()
                .register(new DemoService());
                Client client = Client.connect(server.address(), "s")) {
            assertThat(await(client.rpc("echo", "small"))).isEqualTo("small");
            var reason = client.closed().next();
            Throwable t = failure(client.rpc("echo", new byte[4096]));
            assertThat(t).isInstanceOf(NotConnectedException.class);
            assertThat(await(reason)).isInstanceOf(IOException.class);
            assertThat(failure(client.rpc("echo", 1))).isInstanceOf(NotConnectedException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void oversizedFrameIsReportedByTheSideThatRefusesIt(Peers.Transport transport) throws Exception {
        try (Server server = Server.listen(transport.listenAddress(dir), "s").register(new DemoService());
                Client client = Client.builder(server.address()).secret("s").maxFrameSize(100).connect()) {
            var reason = client.closed().next();
            // a small call whose answer is over the client's limit: the client refuses it and closes
            Throwable t = failure(client.rpc("types"));
            assertThat(t).isInstanceOf(NotConnectedException.class).hasMessageContaining("over the limit of 100 bytes");
            assertThat(await(reason)).isInstanceOf(ProtocolException.class).hasMessageContaining("frame of ");
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void malformedCallPayloadIsAnsweredWithAnError(Peers.Transport transport) throws Exception {
        try (Server server = Server.listen(transport.listenAddress(dir), "s").register(new DemoService());
                RawPeer peer = new RawPeer(server.address()).authenticate("s")) {
            peer.send(7, "CALL", new byte[] {(byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, 0, 0});
            WireFrames.Frame answer = peer.read();
            assertThat(answer.type()).isEqualTo("EXCP");
            assertThat(answer.seq()).isEqualTo(7);
            assertThat(((Object[]) answer.value())[0].toString()).startsWith("ValueError('malformed CALL payload");

            peer.send(8, "CALL", pickle(List.of("not", "a", "tuple")));
            WireFrames.Frame notTuple = peer.read();
            assertThat(notTuple.type()).isEqualTo("EXCP");
            assertThat(((Object[]) notTuple.value())[0].toString()).contains("TypeError(\"malformed CALL");

            peer.send(9, "CALL", pickle(new Object[] {42, new Object[0], Map.of()}));
            assertThat(((Object[]) peer.read().value())[0].toString()).contains("TypeError('malformed CALL");

            // the connection is still good
            peer.call(10, "echo", "still here");
            WireFrames.Frame ok = peer.read();
            assertThat(ok.type()).isEqualTo("RETN");
            assertThat(ok.value()).isEqualTo("still here");
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void unknownPacketTypesAndStrayAnswersAreIgnored(Peers.Transport transport) throws Exception {
        try (Server server = Server.listen(transport.listenAddress(dir), "s").register(new DemoService());
                RawPeer peer = new RawPeer(server.address()).authenticate("s")) {
            peer.send(1, "NOPE", new byte[] {1, 2, 3});
            peer.send(99, "RETN", pickle("nobody asked"));
            peer.send(98, "EXCP", new byte[] {1, 2});
            peer.call(2, "echo", "after");
            WireFrames.Frame ok = peer.read();
            assertThat(ok.seq()).isEqualTo(2);
            assertThat(ok.value()).isEqualTo("after");
        }
    }

    @Test
    void malformedAnswerFailsOnlyItsOwnCall() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Client client = Client.connect(fake.getLocalPort(), "s");
            try (Socket s = fake.accept()) {
                FakeServer server = new FakeServer(s, "s");
                server.handshake();
                var first = client.rpc("a");
                var second = client.rpc("b");
                WireFrames.Frame callA = server.read();
                WireFrames.Frame callB = server.read();
                server.send(callA.seq(), "RETN", new byte[] {(byte) 0x80, 2, 'Z'});
                server.send(callB.seq(), "RETN", pickle("fine"));
                assertThat(failure(first)).isInstanceOf(ProtocolException.class)
                        .hasMessageContaining("malformed RETN payload answering 'a'");
                assertThat(await(second)).isEqualTo("fine");
                assertThat(client.isConnected()).isTrue();
            } finally {
                client.close();
            }
        }
    }

    static byte[] pickle(Object value) {
        ByteBuf buf = Unpooled.buffer();
        PickleWriter.write(buf, value);
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }
}
