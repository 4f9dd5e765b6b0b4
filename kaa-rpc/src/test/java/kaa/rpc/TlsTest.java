package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kaa protocol inside TLS, with certificates made for the test by the JDK's keytool. */
class TlsTest {

    @TempDir
    static Path dir;

    static Certificates certs;
    static Path serverKeys;
    static Path clientKeys;
    static Path trustsServer;
    static Path trustsClient;
    static Path strangerKeys;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = new Certificates(dir);
        serverKeys = certs.serverKeys;
        clientKeys = certs.clientKeys;
        strangerKeys = certs.strangerKeys;
        trustsServer = certs.trustsServer;
        trustsClient = certs.trustsClient;
    }

    static SSLContext context(Path keys, Path trusted) throws Exception {
        return Certificates.context(keys, trusted);
    }

    @Test
    void callsWorkInsideTls() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").tls(context(serverKeys, trustsClient)).listen()
                .register(new DemoService());
                Client client = Client.builder(server.address()).secret("s").tls(context(null, trustsServer))
                        .connect()) {
            assertThat(await(client.rpc("echo", "secret message"))).isEqualTo("secret message");
            assertThat(await(client.rpc("whoami"))).isEqualTo("server");
        }
    }

    /** A method that takes a while, so that a pipelining caller fills the callee's call slots. */
    public static final class Slow {
        @Expose
        public CompletionStage<Integer> slow(int i) {
            return CompletableFuture.supplyAsync(() -> i,
                    CompletableFuture.delayedExecutor(30, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void framesReadWhilePausedAreDecodedWhenReadingResumesUnderTls() throws Exception {
        // with maxConcurrentCalls(2), reading pauses after two calls; the rest arrive meanwhile and wait
        // in the frame decoder, which must see them again when reading resumes (TLS swallowed that nudge)
        try (Server server = Server.builder("127.0.0.1:0").secret("s").maxConcurrentCalls(2)
                .tls(context(serverKeys, trustsClient)).register(new Slow()).listen();
                Client client = Client.builder(server.address()).secret("s").tls(context(null, trustsServer))
                        .connect()) {
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                calls.add(client.rpc(Integer.class, "slow", i));
            }
            for (int i = 0; i < 40; i++) {
                assertThat(await(calls.get(i))).isEqualTo(i);
            }
        }
    }

    @Test
    void aServerWithAnUntrustedCertificateIsRefused() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").tls(context(strangerKeys, trustsClient))
                .listen().register(new DemoService());
                Client client = Client.builder(server.address()).secret("s").tls(context(null, trustsServer))
                        .connect()) {
            assertThat(failure(client.whenOpen())).isInstanceOf(SSLException.class);
        }
    }

    @Test
    void mutualTlsWantsAClientCertificate() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s")
                .tlsWithClientCertificates(context(serverKeys, trustsClient)).listen().register(new DemoService())) {
            try (Client anonymous = Client.builder(server.address()).secret("s").tls(context(null, trustsServer))
                    .connect()) {
                assertThat(failure(anonymous.whenOpen())).isInstanceOf(IOException.class);
            }
            try (Client known = Client.builder(server.address()).secret("s").tls(context(clientKeys, trustsServer))
                    .connect()) {
                assertThat(await(known.rpc("echo", "mutual"))).isEqualTo("mutual");
            }
        }
    }

    @Test
    void aPlainClientCannotTalkToATlsServer() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").tls(context(serverKeys, trustsClient))
                .handshakeTimeout(Duration.ofSeconds(2)).listen();
                Client plain = Client.builder(server.address()).secret("s").handshakeTimeout(Duration.ofSeconds(2))
                        .connect()) {
            assertThat(failure(plain.whenOpen())).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aPlainClientThatHearsNothingFromATlsServerSaysItMaySpeakTls() throws Exception {
        // both wait for the other: the client for the server's challenge, the server for a TLS hello
        try (Server server = Server.builder("127.0.0.1:0").secret("s").tls(context(serverKeys, trustsClient))
                .handshakeTimeout(Duration.ofSeconds(5)).listen();
                Client plain = Client.builder(server.address()).secret("s").handshakeTimeout(Duration.ofMillis(500))
                        .connect()) {
            long start = System.nanoTime();
            Throwable t = failure(plain.whenOpen());
            assertThat(t).isInstanceOf(HandshakeTimeoutException.class)
                    .hasMessageContaining(": the server sent nothing")
                    .hasMessageEndingWith("if the server at " + server.address()
                            + " speaks TLS, set tls(...) on the client too");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void aPlainClientSentATlsRecordSaysTheServerSpeaksTls() throws Exception {
        // whatever speaks first in TLS (here an alert) is no kaa.rpc challenge
        try (ServerSocket tlsLike = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread speaker = new Thread(() -> {
                try (Socket s = tlsLike.accept()) {
                    s.getOutputStream().write(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28});
                    s.getInputStream().read(); // until the client hangs up
                } catch (IOException ignored) {
                    // the client is gone
                }
            });
            speaker.start();
            String address = "127.0.0.1:" + tlsLike.getLocalPort();
            try (Client plain = Client.builder(address).secret("s").handshakeTimeout(Duration.ofSeconds(5))
                    .connect()) {
                assertThat(failure(plain.whenOpen())).isInstanceOf(IOException.class)
                        .hasMessage("the server at " + address + " speaks TLS: set tls(...) on the client too");
            }
            speaker.join(Peers.WAIT.toMillis());
        }
    }

    @Test
    void aTlsClientSentAKaaGreetingSaysTheServerDoesNotSpeakTls() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").listen();
                Client client = Client.builder(server.address()).secret("s").tls(context(null, trustsServer))
                        .connect()) {
            assertThat(failure(client.whenOpen())).isInstanceOf(SSLException.class)
                    .hasMessage("the server at " + server.address() + " does not speak TLS (it sent a kaa.rpc "
                            + "greeting): remove tls(...) or ask for a TLS port");
        }
    }
}
