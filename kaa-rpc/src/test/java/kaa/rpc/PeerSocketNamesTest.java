package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import kaa.rpc.demo.DemoService;
import kaa.rpc.internal.net.Address;
import kaa.rpc.internal.net.IoBackend;
import kaa.rpc.internal.pickle.Python;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Unix-socket client names its own socket: a name in Linux's abstract
 * namespace (it starts with NUL) or a path with a line break in it. Neither
 * may break what names the peer (a wire trace or an observer's line, a
 * handshake's time-out), and the connection is served, timed out and freed
 * as any other. The peer is python3, which binds its socket before it
 * connects.
 */
class PeerSocketNamesTest {

    @TempDir
    Path dir;

    /** Binds a client socket to {@code name}, connects, reads the challenge's size, then waits to be closed. */
    private static final String CLIENT = String.join("\n",
            "import socket, struct, sys",
            "name, path = sys.argv[1].encode('latin-1').decode('unicode_escape'), sys.argv[2]",
            "s = socket.socket(socket.AF_UNIX)",
            "s.settimeout(20)",
            "s.bind(name)",
            "s.connect(path)",
            "header = b''",
            "while len(header) < 12:",
            "    header += s.recv(12 - len(header))",
            "print(header[4:8].decode(), struct.unpack('<I', header[8:12])[0], flush=True)",
            "while s.recv(4096):",
            "    pass",
            "print('closed', flush=True)");

    @Test
    void aPeerThatNamesItsSocketOddlyIsNamedOnOneLineAndTimedOutAsAnyOther() throws Exception {
        BlockingQueue<String> failures = new LinkedBlockingQueue<>();
        ConnectionObserver observer = new ConnectionObserver() {
            @Override
            public void handshakeFailed(SocketAddress remote, String reason) {
                failures.add(Address.format(remote) + " | " + reason);
            }
        };
        Path socket = dir.resolve("s");
        try (Server server = Server.builder(socket.toString()).secret("s").handshakeTimeout(Duration.ofMillis(500))
                .observer(observer).listen().register(new DemoService())) {
            String abstractName = "\\x00kaa-" + UUID.randomUUID() + "\\nINFO forged";
            String pathName = dir.resolve("client\nINFO forged").toString().replace("\n", "\\n");
            for (String name : List.of(abstractName, pathName)) {
                List<String> lines = Python.run(CLIENT + "\n", "", name, server.address());
                assertThat(lines).as(name).containsExactly("AUTH 60", "closed");
                String failure = failures.poll(10, TimeUnit.SECONDS);
                assertThat(failure).as("the observer heard of the failed handshake").isNotNull().doesNotContain("\n");
                if (IoBackend.get().name().equals("epoll")) { // the JDK's channels do not say where a peer is bound
                    assertThat(failure).contains("\\nINFO forged");
                }
            }
            // and the server still serves
            try (Client c = Client.connect(server.address(), "s")) {
                assertThat(Peers.await(c.rpc("echo", "still here"))).isEqualTo("still here");
            }
        }
    }
}
