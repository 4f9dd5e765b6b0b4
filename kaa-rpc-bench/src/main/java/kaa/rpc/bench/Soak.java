package kaa.rpc.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import kaa.rpc.Channel;
import kaa.rpc.Client;
import kaa.rpc.Expose;
import kaa.rpc.RemoteException;
import kaa.rpc.Server;

/**
 * The full soak: {@code ./kaarpc-bench soak [calls] [clients]} (default
 * 1,000,000 calls from 100 clients) against a server in a JVM of its own: a
 * mix of echo, slow, failing and nested callback calls, each answer checked
 * against its call; and the server's heap after a full GC, before and after.
 */
public final class Soak {

    /** The soak's server side. */
    public static final class Service {
        @Expose
        public Object echo(Object x) {
            return x;
        }

        @Expose
        public CompletionStage<Object> slow(double seconds, Object value) {
            return CompletableFuture.supplyAsync(() -> value,
                    CompletableFuture.delayedExecutor((long) (seconds * 1000), TimeUnit.MILLISECONDS));
        }

        @Expose
        public void fail(String message) {
            throw new IllegalArgumentException(message);
        }

        @Expose(addClient = true)
        public CompletionStage<List<Object>> callback(Channel peer, String cmd, Object arg) {
            return peer.rpc(cmd, arg).thenApply(r -> List.of("callback", r));
        }

        /** The heap in use after a full collection, in bytes. */
        @Expose
        public long heap() {
            System.gc();
            Runtime r = Runtime.getRuntime();
            return r.totalMemory() - r.freeMemory();
        }
    }

    public static final class ClientSide {
        @Expose
        public List<Object> client_echo(Object x) {
            return List.of("client", x);
        }
    }

    private Soak() {
    }

    /** {@code Soak serve}: the server process. */
    static void serve() throws Exception {
        Server server = Server.listen("127.0.0.1:0", "soak").register(new Service());
        System.out.println("READY " + server.address());
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the harness closes our stdin
        }
        System.exit(0);
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("serve")) {
            serve();
            return;
        }
        long total = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Compare.SERVER_JVM_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Soak.class.getName(), "serve"));
        Process server = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String ready = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            String address = ready.substring("READY ".length());
            List<Client> all = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Client client = Client.connect(address, "soak");
                client.register(new ClientSide());
                all.add(client);
            }
            for (Client c : all) {
                c.rpc("echo", "warm").get(30, TimeUnit.SECONDS);
            }
            long heapBefore = (Long) all.get(0).rpc(Long.class, "heap").get(60, TimeUnit.SECONDS);
            AtomicLong right = new AtomicLong();
            AtomicLong wrong = new AtomicLong();
            Semaphore window = new Semaphore(1_000);
            long t0 = System.nanoTime();
            for (long i = 0; i < total; i++) {
                window.acquire();
                int c = (int) (i % clients);
                String tag = c + "/" + i;
                CompletableFuture<Object> call;
                Object expected;
                switch ((int) (i % 4)) {
                    case 0 -> {
                        call = all.get(c).rpc("echo", tag);
                        expected = tag;
                    }
                    case 1 -> {
                        call = all.get(c).rpc("slow", 0.001, tag);
                        expected = tag;
                    }
                    case 2 -> {
                        call = all.get(c).rpc("fail", tag);
                        expected = null;
                    }
                    default -> {
                        call = all.get(c).rpc("callback", "client_echo", tag);
                        expected = List.of("callback", List.of("client", tag));
                    }
                }
                call.whenComplete((v, e) -> {
                    boolean ok = expected == null
                            ? e instanceof RemoteException && ((RemoteException) e).remoteMessage().equals(tag)
                            : e == null && expected.equals(v);
                    (ok ? right : wrong).incrementAndGet();
                    window.release();
                });
                if ((i + 1) % 100_000 == 0) {
                    System.out.printf("%,d calls sent, %,d answered%n", i + 1, right.get() + wrong.get());
                }
            }
            window.acquire(1_000);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long heapAfter = (Long) all.get(0).rpc(Long.class, "heap").get(60, TimeUnit.SECONDS);
            System.out.printf("%,d calls from %d clients in %.1f s (%.0f calls/s): %,d right, %,d wrong or lost%n",
                    total, clients, seconds, total / seconds, right.get(), total - right.get());
            System.out.printf("server heap after a full GC: %.1f MiB before, %.1f MiB after%n",
                    heapBefore / 1048576.0, heapAfter / 1048576.0);
            all.forEach(Client::close);
            System.exit(wrong.get() == 0 && right.get() == total ? 0 : 1);
        } finally {
            server.getOutputStream().close();
            server.waitFor(10, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
    }
}
