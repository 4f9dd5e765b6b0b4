package kaa.rpc;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kaa.rpc.demo.DemoService;

/** Helpers shared by the integration tests: both transports, bounded waits. */
final class Peers {

    static final Duration WAIT = Duration.ofSeconds(10);

    enum Transport {
        TCP, UNIX;

        /** A fresh address to listen on: an ephemeral port, or a socket in {@code dir}. */
        String listenAddress(Path dir) {
            return this == TCP ? "127.0.0.1:0" : dir.resolve("kaa-test.sock").toString();
        }

        /**
         * An address nobody listens on, for tests that restart a server at the
         * same address. A TCP port is taken from below the ephemeral range: a
         * retrying client connecting to a free ephemeral port can be given that
         * very port as its own and connect to itself.
         */
        String fixedAddress(Path dir) throws IOException {
            if (this == UNIX) {
                return dir.resolve("kaa-fixed.sock").toString();
            }
            Random random = new Random();
            for (int attempt = 0; attempt < 100; attempt++) {
                int port = 20000 + random.nextInt(10000);
                try (ServerSocket probe = new ServerSocket(port, 1,
                        InetAddress.getLoopbackAddress())) {
                    return "127.0.0.1:" + port;
                } catch (IOException inUse) {
                    // try another
                }
            }
            throw new IOException("no free port between 20000 and 30000");
        }
    }

    private Peers() {
    }

    static Server server(Transport t, Path dir, String secret) throws IOException {
        return Server.builder(t.listenAddress(dir)).secret(secret).listen();
    }

    static Client client(Server server, String secret) {
        return Client.connect(server.address(), secret);
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The cause a failed future failed with. */
    static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("future neither completed nor failed within " + WAIT, e);
        }
        throw new AssertionError("expected the future to fail, but it completed with " + f.join());
    }

    /** A server of the demo service on {@code address}, secret "s". */
    static Server demoServer(String address) throws IOException {
        return Server.builder(address).secret("s").register(new DemoService()).listen();
    }

    /** What listens: a server's builder, ready but for {@code listen()}. */
    interface Listening {
        Server listen() throws IOException;
    }

    /**
     * Listens again where a server just stopped. The old server's side of its
     * connections may hold the TCP port for a moment while they finish
     * closing, so the bind is retried, within a bound.
     */
    static Server listenAgain(Listening server) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return server.listen();
            } catch (BindException stillHeld) {
                if (attempt == 100) {
                    throw stillHeld;
                }
                Thread.sleep(50); // the kernel's port release cannot be waited on otherwise
            }
        }
    }
}
