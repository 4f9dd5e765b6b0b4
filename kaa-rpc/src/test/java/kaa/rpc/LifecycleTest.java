package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Signals, queued calls, registration per server and per channel, and what closing does to calls. */
class LifecycleTest {

    @TempDir
    Path dir;

    public static class Greeter {
        @Expose
        public String hello(String who) {
            return "hello " + who;
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void serverCallsTheClientFromClientConnected(Peers.Transport transport) throws Exception {
        try (Server server = Peers.server(transport, dir, "s")) {
            CompletableFuture<Object> fromServer = new CompletableFuture<>();
            server.clientConnected().connect(ch -> ch.rpc("hello", "from server").whenComplete((v, e) -> {
                if (e != null) {
                    fromServer.completeExceptionally(e);
                } else {
                    fromServer.complete(v);
                }
            }));
            try (Client client = Client.builder(server.address()).secret("s").register(new Greeter()).connect()) {
                assertThat(await(fromServer)).isEqualTo("hello from server");
                assertThat(server.channels()).hasSize(1);
                assertThat(server.channels().iterator().next().isConnected()).isTrue();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void callsMadeBeforeOpenAreSentInOrderWhenItOpens(Peers.Transport transport) throws Exception {
        try (Server server = Peers.server(transport, dir, "s").register(new DemoService())) {
            try (Client client = Client.connect(server.address(), "s")) {
                List<CompletableFuture<Object>> calls = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    calls.add(client.rpc("echo", i));
                }
                for (int i = 0; i < 20; i++) {
                    assertThat(await(calls.get(i))).isEqualTo(i);
                }
                assertThat(client.isConnected()).isTrue();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void openAndClosedSignalsCarryTheChannelAndTheReason(Peers.Transport transport) throws Exception {
        try (Server server = Peers.server(transport, dir, "s").register(new DemoService())) {
            CompletableFuture<Channel> serverSide = server.clientConnected().next();
            Client client = Client.builder(server.address()).secret("s").connect();
            // (the open signal itself is checked where it can be subscribed to in time: ReconnectTest)
            assertThat(await(client.whenOpen())).isSameAs(client);
            CompletableFuture<Throwable> clientClosed = client.closed().next();
            Channel channel = await(serverSide);
            CompletableFuture<Throwable> serverClosed = channel.closed().next();
            channel.close();
            assertThat(await(clientClosed)).isInstanceOf(NotConnectedException.class)
                    .hasMessageContaining("connection closed by");
            assertThat(await(serverClosed)).hasMessage("channel closed locally");
            assertThat(client.isConnected()).isFalse();
            assertThat(failure(client.rpc("echo", 1))).isInstanceOf(NotConnectedException.class)
                    .hasMessageContaining("the channel is closed");
            client.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void pendingCallsFailAtOnceWhenTheServerGoesAway(Peers.Transport transport) throws Exception {
        Server server = Peers.server(transport, dir, "s").register(new DemoService());
        try (Client client = Client.connect(server.address(), "s")) {
            await(client.whenOpen());
            CompletableFuture<Object> slow = client.rpc("slow", 30.0, "never");
            CompletableFuture<Object> slower = client.rpc("slow", 60.0, "never");
            server.close();
            assertThat(failure(slow)).isInstanceOf(NotConnectedException.class)
                    .hasMessageContaining("call 'slow' failed: connection closed");
            assertThat(failure(slower)).isInstanceOf(NotConnectedException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void closingTheClientFailsItsPendingCalls(Peers.Transport transport) throws Exception {
        try (Server server = Peers.server(transport, dir, "s").register(new DemoService())) {
            Client client = Client.connect(server.address(), "s");
            await(client.whenOpen());
            CompletableFuture<Object> slow = client.rpc("slow", 30.0, "never");
            client.close();
            assertThat(failure(slow)).isInstanceOf(NotConnectedException.class);
            client.close(); // idempotent
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void registrationsOfServerAndChannelAndTheirWithdrawal(Peers.Transport transport) throws Exception {
        try (Server server = Peers.server(transport, dir, "s")) {
            CompletableFuture<Channel> serverSide = server.clientConnected().next();
            try (Client client = Client.connect(server.address(), "s")) {
                Channel channel = await(serverSide);
                assertThat(failure(client.rpc("hello", "x"))).isInstanceOf(RemoteException.class)
                        .extracting(e -> ((RemoteException) e).remoteType()).isEqualTo("KeyError");

                Greeter greeter = new Greeter();
                server.register(greeter); // reaches channels already open
                assertThat(await(client.rpc("hello", "x"))).isEqualTo("hello x");

                channel.register(new Object() {
                    @Expose("hello")
                    public String personal(String who) {
                        return "hi " + who + ", just you";
                    }
                });
                assertThat(await(client.rpc("hello", "x"))).isEqualTo("hi x, just you");

                assertThat(server.disconnect(greeter)).isTrue();
                assertThat(server.disconnect(greeter)).isFalse();
                assertThat(await(client.rpc("hello", "y"))).isEqualTo("hi y, just you");
            }
        }
    }
}
