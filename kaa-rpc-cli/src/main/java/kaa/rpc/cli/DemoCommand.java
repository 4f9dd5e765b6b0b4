package kaa.rpc.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kaa.rpc.Channel;
import kaa.rpc.Client;
import kaa.rpc.Expose;
import kaa.rpc.Kw;
import kaa.rpc.Kwargs;
import kaa.rpc.RemoteException;
import kaa.rpc.Server;
import kaa.rpc.demo.DemoService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kaarpc demo}: a server and a client in one process, calling each
 * other over TCP and a Unix socket, with a remote exception at the end.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start a server and a client in this process and show calls both ways.")
final class DemoCommand implements Callable<Integer> {

    private static final long TIMEOUT_SECONDS = 10;

    @Spec
    CommandSpec spec;

    /** What the client exposes, so the server can call it back. */
    public static final class ClientSide {
        @Expose
        public List<Object> client_echo(Object x) {
            return Arrays.asList("client", x);
        }

        @Expose
        public String hello(String from) {
            return "hello back, " + from;
        }
    }

    /** Some of the demo server's commands as a typed interface: a proxy calls them like Java methods. */
    public interface Demo {
        @Expose
        long add(long a, long b);

        @Expose
        String greet(String name, @Kw("greeting") String greeting);

        @Expose
        CompletableFuture<List<Object>> callback(String command, Object arg);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
        out.println("kaa-rpc demo: a server and a client in one process, speaking kaa.rpc.");
        try (Server server = Server.listen("127.0.0.1:0", secret).register(new DemoService())) {
            out.println("server listening on " + server.address());
            CompletableFuture<Object> serverToClient = new CompletableFuture<>();
            server.clientConnected().connect(channel -> {
                out.println("server: client-connected, " + channel);
                channel.rpc("hello", "server").whenComplete((v, e) -> complete(serverToClient, v, e));
            });
            try (Client client = Client.connect(server.address(), secret)) {
                client.register(new ClientSide());
                out.println("client: open = " + (get(client.whenOpen()) == client));
                show(out, "server -> client", "hello('server')", serverToClient);
                show(out, client, "echo", "hi");
                show(out, client, "add", 2, 3);
                show(out, client, "add", 1L << 40, 1L << 40);
                show(out, client, "greet", "bob");
                show(out, client, "greet", "bob", Kwargs.of("greeting", "hi"));
                show(out, client, "slow", 0.2, "late");
                show(out, client, "whoami");
                show(out, client, "callback", "client_echo", 7);
                show(out, client, "types");
                out.println("client -> server  " + Repr.call("add", 40, 2) + " as Integer = "
                        + get(client.rpc(Integer.class, "add", 40, 2)));
                Demo demo = client.proxy(Demo.class);
                out.println("client -> server  through a proxy of interface Demo: demo.add(40, 2) = "
                        + demo.add(40, 2) + ", demo.greet(\"ann\", null) = " + Repr.of(demo.greet("ann", null))
                        + ", demo.callback(\"hello\", \"proxy\") = " + Repr.of(get(demo.callback("hello", "proxy"))));
                show(out, client, "nope");
                show(out, client, "fail", "boom");
            }
        }
        Path dir = Files.createTempDirectory("kaarpc-demo");
        Path socket = dir.resolve("demo.sock");
        try (Server server = Server.listen(socket.toString(), secret).register(new DemoService());
                Client client = Client.connect(socket.toString(), secret)) {
            out.println("server listening on Unix socket " + server.address());
            show(out, client, "echo", "over a Unix socket");
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
        out.println("done.");
        out.flush();
        return 0;
    }

    private static void show(PrintWriter out, Channel channel, String command, Object... args) throws Exception {
        show(out, "client -> server", Repr.call(command, args), channel.rpc(command, args));
    }

    private static void show(PrintWriter out, String direction, String call, CompletableFuture<?> result)
            throws Exception {
        try {
            out.println(direction + "  " + call + " = " + Repr.of(get(result)));
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof RemoteException)) {
                throw e;
            }
            out.println(direction + "  " + call + " raised RemoteException:");
            for (String line : e.getCause().getMessage().split("\n")) {
                out.println("    " + line);
            }
        }
        out.flush();
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static void complete(CompletableFuture<Object> f, Object value, Throwable error) {
        if (error != null) {
            f.completeExceptionally(error);
        } else {
            f.complete(value);
        }
    }
}
