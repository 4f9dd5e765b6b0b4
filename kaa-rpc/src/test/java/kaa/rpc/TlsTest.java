package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kaa protocol inside TLS, with certificates made for the test by the JDK's keytool. */
class TlsTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;

    static Path serverKeys;
    static Path clientKeys;
    static Path trustsServer;
    static Path trustsClient;
    static Path strangerKeys;

    @BeforeAll
    static void makeCertificates() throws Exception {
        serverKeys = keyPair("server", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
        clientKeys = keyPair("client", "CN=client", null);
        strangerKeys = keyPair("stranger", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
        trustsServer = trustStore("trusts-server", serverKeys, "server");
        trustsClient = trustStore("trusts-client", clientKeys, "client");
    }

    private static Path keyPair(String alias, String dname, String san) throws Exception {
        Path store = dir.resolve(alias + ".p12");
        List<String> cmd = new java.util.ArrayList<>(List.of(keytool(), "-genkeypair", "-alias", alias,
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname, "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit"));
        if (san != null) {
            cmd.addAll(List.of("-ext", san));
        }
        run(cmd);
        return store;
    }

    private static Path trustStore(String name, Path keys, String alias) throws Exception {
        Path cert = dir.resolve(alias + ".crt");
        run(List.of(keytool(), "-exportcert", "-alias", alias, "-keystore", keys.toString(), "-storepass", "changeit",
                "-file", cert.toString()));
        Path store = dir.resolve(name + ".p12");
        run(List.of(keytool(), "-importcert", "-noprompt", "-alias", alias, "-file", cert.toString(),
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit"));
        return store;
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static KeyStore load(Path path) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(path.toFile())) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    /** An SSLContext with the key pair in {@code keys} (may be null) trusting what {@code trusted} holds. */
    static SSLContext context(Path keys, Path trusted) throws Exception {
        KeyManagerFactory kmf = null;
        if (keys != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(keys), PASSWORD);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(trusted));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
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
        public java.util.concurrent.CompletionStage<Integer> slow(int i) {
            return java.util.concurrent.CompletableFuture.supplyAsync(() -> i,
                    java.util.concurrent.CompletableFuture.delayedExecutor(30, TimeUnit.MILLISECONDS));
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
            List<java.util.concurrent.CompletableFuture<Integer>> calls = new java.util.ArrayList<>();
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
            assertThat(failure(client.whenOpen())).isInstanceOf(javax.net.ssl.SSLException.class);
        }
    }

    @Test
    void mutualTlsWantsAClientCertificate() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s")
                .tlsWithClientCertificates(context(serverKeys, trustsClient)).listen().register(new DemoService())) {
            try (Client anonymous = Client.builder(server.address()).secret("s").tls(context(null, trustsServer))
                    .connect()) {
                assertThat(failure(anonymous.whenOpen())).isInstanceOf(java.io.IOException.class);
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
            assertThat(failure(plain.whenOpen())).isInstanceOf(java.io.IOException.class);
        }
    }
}
