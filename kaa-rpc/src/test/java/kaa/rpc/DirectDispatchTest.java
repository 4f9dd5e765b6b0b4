package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import kaa.rpc.demo.DemoService;
import kaa.rpc.internal.exec.IoThreads;
import org.junit.jupiter.api.Test;

/** Methods marked {@code direct} run on the I/O thread that read their call; a blocking wait there fails loudly. */
class DirectDispatchTest {

    public static final class Service {
        @Expose(direct = true)
        public boolean onIoThread() {
            return IoThreads.isIoThread();
        }

        @Expose
        public boolean onExecutor() {
            return IoThreads.isIoThread();
        }

        @Expose(addClient = true, direct = true)
        public Object blocksOnItsCaller(Channel peer) throws Exception {
            return peer.rpc("echo", "x").get(); // wrongly marked: it would stall the I/O thread
        }
    }

    @Test
    void aDirectMethodRunsWhereItsCallIsReadAndTheOthersDoNot() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new Service()).listen();
                Client client = Client.connect(server.address(), "s")) {
            assertThat(await(client.rpc(Boolean.class, "onIoThread"))).isTrue();
            assertThat(await(client.rpc(Boolean.class, "onExecutor"))).isFalse();
        }
    }

    @Test
    void directDispatchRunsEveryMethodThere() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").directDispatch().register(new Service())
                .listen();
                Client client = Client.connect(server.address(), "s")) {
            assertThat(await(client.rpc(Boolean.class, "onExecutor"))).isTrue();
        }
    }

    @Test
    void aDirectMethodThatBlocksFailsInsteadOfDeadlocking() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").register(new Service()).listen();
                Client client = Client.builder(server.address()).secret("s").register(new DemoService()).connect()) {
            Throwable t = failure(client.rpc("blocksOnItsCaller"));
            assertThat(t).isInstanceOf(RemoteException.class);
            assertThat(((RemoteException) t).remoteType()).isEqualTo("java.lang.IllegalStateException");
            assertThat(((RemoteException) t).remoteMessage()).contains("would deadlock");
            assertThat(await(client.rpc(Boolean.class, "onIoThread"))).isTrue(); // and the thread goes on
        }
    }
}
