package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Calls from client to server, with positional and keyword arguments, typed results and errors. */
class CallTest {

    @TempDir
    Path dir;

    static class Service {
        @Expose
        Object echo(Object x) {
            return x;
        }

        @Expose
        long add(long a, long b) {
            return a + b;
        }

        @Expose
        String greet(String name) {
            return greet(name, "hello");
        }

        @Expose
        String greet(String name, String greeting) {
            return greeting + " " + name;
        }

        @Expose("do_something")
        int myFunction(int foo) {
            return foo * 2;
        }

        @Expose
        void fail(String message) {
            throw new IllegalArgumentException(message);
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void callsReturnResults(Peers.Transport transport) throws Exception {
        try (Server server = Peers.server(transport, dir, "s").register(new Service());
                Client client = Peers.client(server, "s")) {
            assertThat(await(client.rpc("echo", "hi"))).isEqualTo("hi");
            assertThat(await(client.rpc("add", 2, 3))).isEqualTo(5);
            assertThat(await(client.rpc(Long.class, "add", 2, 3))).isEqualTo(5L);
            assertThat(await(client.rpc("do_something", 6))).isEqualTo(12);
            assertThat(await(client.rpc("greet", "bob"))).isEqualTo("hello bob");
            assertThat(await(client.rpc("greet", "bob", Kwargs.of("greeting", "hi")))).isEqualTo("hi bob");
            assertThat(await(client.rpc("do_something", Kwargs.of("foo", 4)))).isEqualTo(8);
            assertThat(await(client.rpc("echo", List.of(1, "two", Map.of("k", 3.5)))))
                    .isEqualTo(List.of(1, "two", Map.of("k", 3.5)));
        }
    }

    static class Deferred {
        final CompletableFuture<String> answer = new CompletableFuture<>();

        @Expose
        CompletableFuture<String> later() {
            return answer;
        }

        @Expose
        String now() {
            return "now";
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void aCalleeMayAnswerLaterAndOtherCallsOvertakeIt(Peers.Transport transport) throws Exception {
        Deferred deferred = new Deferred();
        try (Server server = Peers.server(transport, dir, "s").register(deferred).register(new DemoService());
                Client client = Peers.client(server, "s")) {
            CompletableFuture<Object> later = client.rpc("later");
            assertThat(await(client.rpc("now"))).isEqualTo("now");
            assertThat(later).isNotDone();
            deferred.answer.complete("at last");
            assertThat(await(later)).isEqualTo("at last");
            assertThat(await(client.rpc("slow", 0.05, "late")).toString()).isEqualTo("late");
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void aFailedStageIsARemoteException(Peers.Transport transport) throws Exception {
        Deferred deferred = new Deferred();
        try (Server server = Peers.server(transport, dir, "s").register(deferred);
                Client client = Peers.client(server, "s")) {
            CompletableFuture<Object> later = client.rpc("later");
            assertThat(await(client.rpc("now"))).isEqualTo("now");
            deferred.answer.completeExceptionally(new UnsupportedOperationException("not today"));
            RemoteException e = (RemoteException) failure(later);
            assertThat(e.remoteType()).isEqualTo("java.lang.UnsupportedOperationException");
            assertThat(e.remoteMessage()).isEqualTo("not today");
        }
    }

    @ParameterizedTest
    @EnumSource(Peers.Transport.class)
    void remoteExceptionCarriesTypeMessageAndStack(Peers.Transport transport) throws Exception {
        try (Server server = Peers.server(transport, dir, "s").register(new Service());
                Client client = Peers.client(server, "s")) {
            CompletableFuture<Object> f = client.rpc("fail", "boom");
            Throwable t = failure(f);
            assertThat(t).isInstanceOf(RemoteException.class);
            RemoteException e = (RemoteException) t;
            assertThat(e.remoteType()).isEqualTo("java.lang.IllegalArgumentException");
            assertThat(e.remoteMessage()).isEqualTo("boom");
            assertThat(e.command()).isEqualTo("fail");
            assertThat(e.frames()).anySatisfy(frame -> assertThat(frame.function()).endsWith("Service.fail"));
            assertThat(e.getMessage()).startsWith("Exception during RPC call 'fail'; remote traceback follows:\n")
                    .endsWith("java.lang.IllegalArgumentException: boom");
        }
    }
}
