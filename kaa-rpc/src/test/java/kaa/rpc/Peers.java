package kaa.rpc;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the integration tests: both transports, bounded waits. */
final class Peers {

    static final Duration WAIT = Duration.ofSeconds(10);

    enum Transport {
        TCP, UNIX;

        /** A fresh address to listen on: an ephemeral port, or a socket in {@code dir}. */
        String listenAddress(Path dir) {
            return this == TCP ? "127.0.0.1:0" : dir.resolve("kaa-test.sock").toString();
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
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("future neither completed nor failed within " + WAIT, e);
        }
        throw new AssertionError("expected the future to fail, but it completed with " + f.join());
    }
}
