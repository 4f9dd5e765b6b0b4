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
import kaa.rpc.internal.Address;
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
