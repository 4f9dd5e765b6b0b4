package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.Test;

/** Faults of the link between client and server, made by a proxy: each ends the calls it touches, and only those. */
class ProxyFaultTest {

    @Test
    void aConnectionCutMidFrameClosesCleanlyAndOthersCarryOn() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new DemoService());
                FaultProxy proxy = new FaultProxy(server.address());
                Client cut = Client.connect(proxy.address(), "s");
                Client bystander = Client.connect(server.address(), "s")) {
            assertThat(await(cut.rpc("echo", "before"))).isEqualTo("before");
            CompletableFuture<Throwable> closed = cut.closed().next();
            proxy.cutAfter(100); // the answer below is 64 KiB: its frame is cut after 100 bytes
            CompletableFuture<Object> big = cut.rpc("echo", "x".repeat(65_536));
            assertThat(failure(big)).isInstanceOf(NotConnectedException.class);
            assertThat(await(closed)).isInstanceOf(IOException.class);
            assertThat(await(bystander.rpc("echo", "unaffected"))).isEqualTo("unaffected");
        }
    }

    @Test
    void aResetFailsPendingCallsAtOnce() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new DemoService());
                FaultProxy proxy = new FaultProxy(server.address());
                Client client = Client.connect(proxy.address(), "s")) {
            assertThat(await(client.rpc("echo", 1))).isEqualTo(1);
            CompletableFuture<Object> slow = client.rpc("slow", 30.0, "never");
            proxy.reset();
            assertThat(failure(slow)).isInstanceOf(NotConnectedException.class);
        }
    }

    @Test
    void aStalledLinkIsFoundByTheHeartbeatAndACallDeadlineEndsTheCall() throws Exception {
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new DemoService());
                FaultProxy proxy = new FaultProxy(server.address());
                Client watched = Client.builder(proxy.address()).secret("s")
                        .heartbeat(Duration.ofMillis(200), Duration.ofMillis(1500)).connect(); // room for a loaded machine
                Client deadline = Client.builder(proxy.address()).secret("s").callTimeout(Duration.ofSeconds(2))
                        .connect()) {
            assertThat(await(watched.rpc("echo", 1))).isEqualTo(1);
            assertThat(await(deadline.rpc("echo", 2))).isEqualTo(2);
            CompletableFuture<Throwable> closed = watched.closed().next();
            proxy.stall();
            CompletableFuture<Object> pending = watched.rpc("echo", "lost in the stall");
            assertThat(await(closed)).hasMessageContaining("peer unresponsive");
            assertThat(failure(pending)).isInstanceOf(NotConnectedException.class);
            assertThat(failure(deadline.rpc("echo", 3))).isInstanceOf(TimeoutException.class);
        }
    }
}
