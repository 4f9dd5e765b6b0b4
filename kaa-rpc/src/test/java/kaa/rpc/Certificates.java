package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Certificates made for tests by the JDK's keytool: a server, a client, a stranger, and who trusts whom. */
final class Certificates {

    private static final char[] PASSWORD = "changeit".toCharArray();

    private final Path dir;
    final Path serverKeys;
    final Path clientKeys;
    final Path strangerKeys;
    final Path trustsServer;
    final Path trustsClient;

    /** Makes key pairs and trust stores in {@code dir}. */
    Certificates(Path dir) throws Exception {
        this.dir = dir;
        serverKeys = keyPair("server", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
        clientKeys = keyPair("client", "CN=client", null);
        strangerKeys = keyPair("stranger", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
        trustsServer = trustStore("trusts-server", serverKeys, "server");
        trustsClient = trustStore("trusts-client", clientKeys, "client");
    }

    private Path keyPair(String alias, String dname, String san) throws Exception {
        Path store = dir.resolve(alias + ".p12");
        List<String> cmd = new ArrayList<>(List.of(keytool(), "-genkeypair", "-alias", alias,
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname, "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit"));
        if (san != null) {
            cmd.addAll(List.of("-ext", san));
        }
        run(cmd);
        return store;
    }

    private Path trustStore(String name, Path keys, String alias) throws Exception {
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

}
