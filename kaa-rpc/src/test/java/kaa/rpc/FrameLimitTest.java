package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A frame over the limit is refused by its sender with a clear error, before the peer closes on it. */
class FrameLimitTest {

    public static class Big {
        @Expose
        public byte[] big(int size) {
            return new byte[size];
        }
    }

    @Test
    void anOversizedCallFailsAloneAndTheChannelLives() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").maxFrameSize(1024).register(new Big())
                .listen();
                Client client = Client.builder(server.address()).secret("s").maxFrameSize(1024).connect()) {
            Throwable refused = failure(client.rpc("big", (Object) new byte[2048]));
            assertThat(refused).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("over the frame limit of 1024 bytes");
            assertThat(await(client.rpc("big", 10))).isEqualTo(new byte[10]);
            Throwable answer = failure(client.rpc("big", 4096));
            assertThat(answer).isInstanceOf(RemoteException.class)
                    .hasMessageContaining("the result of big() cannot be sent")
                    .hasMessageContaining("over the frame limit of 1024 bytes");
            assertThat(client.isConnected()).isTrue();
        }
    }
}
