package kaa.rpc.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;

/**
 * Eclipse LSP4J's JSON-RPC (the protocol of language servers) over TCP, a
 * Java interface on both ends. JSON has no bytes: the bulk payload goes as
 * base64 text, as an LSP4J user would send it. Records go as JSON objects
 * through Gson (2.10 and later know records).
 */
final class Lsp4jEcho {

    public interface Echo {
        @JsonRequest
        CompletableFuture<String> echo(String text);

        @JsonRequest
        CompletableFuture<List<BenchRecord>> echoRecords(RecordsParams params);
    }

    /** The records as the call's params object: JSON-RPC takes a bare list for the positional parameters. */
    public record RecordsParams(List<BenchRecord> records) {
    }

    /** The client as the server sees it: nothing to call. */
    public interface Caller {
    }

    public static final class Impl implements Echo {
        @Override
        public CompletableFuture<String> echo(String text) {
            return CompletableFuture.completedFuture(text);
        }

        @Override
        public CompletableFuture<List<BenchRecord>> echoRecords(RecordsParams params) {
            return CompletableFuture.completedFuture(params.records());
        }
    }

    // LSP4J logs every closed stream with its stack trace through java.util.logging; kept so it stays set
    private static final Logger LOG = Logger.getLogger("org.eclipse.lsp4j");

    static {
        LOG.setLevel(Level.WARNING);
    }

    private Lsp4jEcho() {
    }

    static String serve(String address) throws IOException {
        ServerSocket server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        ExecutorService readers = Executors.newCachedThreadPool(daemon());
        Thread acceptor = new Thread(() -> {
            while (true) {
                try {
                    Socket s = server.accept();
                    s.setTcpNoDelay(true);
                    Launcher<Object> launcher = new Launcher.Builder<Object>()
                            .setLocalService(new Impl())
                            .setRemoteInterface(Caller.class)
                            .setInput(s.getInputStream())
                            .setOutput(s.getOutputStream())
                            .setExecutorService(readers)
                            .create();
                    launcher.startListening();
                } catch (IOException e) {
                    return;
                }
            }
        }, "lsp4j-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return "127.0.0.1:" + server.getLocalPort();
    }

    private static ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "lsp4j");
            t.setDaemon(true);
            return t;
        };
    }

    static final class Client implements EchoClient {
        private static final RecordsParams PARAMS = new RecordsParams(StructuredPayload.RECORDS);

        private final Socket socket;
        private final ExecutorService reader = Executors.newCachedThreadPool(daemon());
        private final Echo echo;

        Client(String address) throws IOException {
            int colon = address.lastIndexOf(':');
            socket = new Socket(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
            socket.setTcpNoDelay(true);
            Launcher<Echo> launcher = new Launcher.Builder<Echo>()
                    .setLocalService(new Object())
                    .setRemoteInterface(Echo.class)
                    .setInput(socket.getInputStream())
                    .setOutput(socket.getOutputStream())
                    .setExecutorService(reader)
                    .create();
            launcher.startListening();
            echo = launcher.getRemoteProxy();
        }

        @Override
        public void echoSmall() throws Exception {
            if (!SMALL_TEXT.equals(echo.echo(SMALL_TEXT).get(1, TimeUnit.MINUTES))) {
                throw new IllegalStateException("wrong echo");
            }
        }

        @Override
        public void echoBytes(byte[] payload) throws Exception {
            String answer = echo.echo(Base64.getEncoder().encodeToString(payload)).get(1, TimeUnit.MINUTES);
            if (Base64.getDecoder().decode(answer).length != payload.length) {
                throw new IllegalStateException("wrong echo length");
            }
        }

        @Override
        public void echoRecords() throws Exception {
            StructuredPayload.check(echo.echoRecords(PARAMS).get(1, TimeUnit.MINUTES));
        }

        @Override
        public void echoAsync(Runnable done) {
            echo.echo(SMALL_TEXT).whenComplete((answer, failure) -> done.run());
        }

        @Override
        public void close() throws IOException {
            socket.close();
            reader.shutdownNow();
        }
    }
}
