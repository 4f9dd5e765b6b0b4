package kaa.rpc;

import static kaa.rpc.Peers.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kaa.rpc.demo.DemoService;
import kaa.rpc.internal.net.Address;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unix socket files: kaa's temp directory, permissions, stale and live files, clean-up. */
class UnixSocketTest {

    @TempDir
    Path dir;

    @Test
    void bareNameGoesToKaasPerUserTempDirectory() throws Exception {
        String name = "t-" + UUID.randomUUID().toString().substring(0, 8) + ".sock";
        try (Server server = Server.listen(name, "s").register(new DemoService());
                Client client = Client.connect(name, "s")) {
            Path expected = Address.kaaTempDir().resolve(name);
            assertThat(server.address()).isEqualTo(expected.toString());
            assertThat(Address.kaaTempDir().getFileName().toString()).startsWith("kaa-");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Address.kaaTempDir())))
                    .isEqualTo("rwx------");
            assertThat(await(client.rpc("echo", "via temp dir"))).isEqualTo("via temp dir");
        }
        assertThat(Address.kaaTempDir().resolve(name)).doesNotExist();
    }

    @Test
    void aDirectoryOthersCouldRewriteIsRefused() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> Server.listen(open.resolve("x.sock").toString(), "s"))
                .isInstanceOf(BindException.class).hasMessageContaining("others may write in " + open)
                .hasMessageContaining("not sticky");
        Files.setAttribute(open, "unix:mode", 01777); // as /tmp: others may not rename what is ours
        try (Server server = Server.listen(open.resolve("x.sock").toString(), "s").register(new DemoService());
                Client client = Client.connect(open.resolve("x.sock").toString(), "s")) {
            assertThat(await(client.rpc("echo", "sticky"))).isEqualTo("sticky");
        }
    }

    @Test
    void aDirectoryOfAnotherUserIsRefused() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "only root can give a directory to another user");
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Files.setAttribute(theirs, "unix:uid", 54321);
        assertThatThrownBy(() -> Server.listen(theirs.resolve("x.sock").toString(), "s"))
                .isInstanceOf(BindException.class).hasMessageContaining("belongs to uid 54321, not to us or root");
    }

    @Test
    void aServerNamesItsUnixPeersByTheSocketsPathNotWhereItWasBound() throws Exception {
        Path path = dir.resolve("named.sock");
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        try (Server server = Server.listen(path.toString(), "s")) {
            server.clientConnected().connect(ch -> ch.rpc("fail", "from the server")
                    .whenComplete((v, e) -> failure.complete(e)));
            try (Client client = Client.builder(path.toString()).secret("s").register(new DemoService()).connect()) {
                Throwable e = failure.get(10, TimeUnit.SECONDS);
                assertThat(e).isInstanceOf(RemoteException.class);
                assertThat(((RemoteException) e).peer()).isEqualTo("local peer on " + path)
                        .doesNotContain(".kaa-bind-");
            }
        }
    }

    @Test
    void theSocketIsBoundOutOfSightAndNoTraceIsLeft() throws Exception {
        Path path = dir.resolve("quiet.sock");
        try (Server server = Server.listen(path.toString(), "s")) {
            assertThat(server.address()).isEqualTo(path.toString());
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).containsExactly(path); // the private directory it was bound in is gone
            }
        }
    }

    @Test
    void socketFileIsOwnerOnlyByDefaultAndRemovedOnClose() throws Exception {
        Path path = dir.resolve("perm.sock");
        try (Server server = Server.listen(path.toString(), "s")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
        }
        assertThat(path).doesNotExist();
        try (Server server = Server.builder(path.toString()).socketPermissions("rw-rw----").listen()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-rw----");
        }
    }

    @Test
    void staleSocketFileIsReplaced() throws Exception {
        Path path = dir.resolve("stale.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(path));
        } // closed without removing its file: nobody accepts on it now
        assertThat(path).exists();
        try (Server server = Server.listen(path.toString(), "s").register(new DemoService());
                Client client = Client.connect(path.toString(), "s")) {
            assertThat(await(client.rpc("echo", 1))).isEqualTo(1);
        }
    }

    @Test
    void liveSocketAndOtherFilesAreNeverReplaced() throws Exception {
        Path path = dir.resolve("live.sock");
        try (Server live = Server.listen(path.toString(), "s")) {
            assertThatThrownBy(() -> Server.listen(path.toString(), "s")).isInstanceOf(BindException.class)
                    .hasMessageContaining("a server is already listening on " + path);
        }
        Path file = Files.writeString(dir.resolve("plain.txt"), "data");
        assertThatThrownBy(() -> Server.listen(file.toString(), "s")).isInstanceOf(BindException.class)
                .hasMessageContaining("is not a socket");
        assertThat(Files.readString(file)).isEqualTo("data");
    }
}
