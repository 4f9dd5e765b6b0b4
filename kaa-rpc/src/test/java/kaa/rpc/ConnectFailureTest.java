package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nobody listening: a plain JDK exception that names the address, whatever the transport. */
class ConnectFailureTest {

    @TempDir
    Path dir;

    @Test
    void aClosedPortIsAPlainConnectException() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (Client client = Client.connect("127.0.0.1:" + port, "s")) {
            Throwable failure = Peers.failure(client.whenOpen());
            assertThat(failure.getClass()).isEqualTo(ConnectException.class);
            assertThat(failure).hasMessage("connection refused by 127.0.0.1:" + port);
        }
    }

    @Test
    void aMissingSocketFileIsAPlainConnectException() throws Exception {
        Path socket = dir.resolve("none.sock");
        try (Client client = Client.connect(socket.toString(), "s")) {
            Throwable failure = Peers.failure(client.whenOpen());
            assertThat(failure.getClass()).isEqualTo(ConnectException.class);
            assertThat(failure).hasMessage("no socket file " + socket + " (is a server listening there?)");
        }
    }
}
