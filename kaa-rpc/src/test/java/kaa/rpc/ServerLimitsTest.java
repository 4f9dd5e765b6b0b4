package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.Test;

/** Connection limits: a flood of silent connections cannot keep real clients out, and the total is capped. */
class ServerLimitsTest {

    @Test
    void aFloodOfSilentConnectionsFromOneSourceCannotKeepAClientFromAnotherOut() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").maxHandshaking(4).listen()
                .register(new DemoService())) {
            List<RawPeer> silent = new ArrayList<>();
            int refused = 0;
            try {
                for (int i = 0; i < 50; i++) {
                    RawPeer p = new RawPeer(server.address(), "127.0.0.2");
                    silent.add(p);
                    try {
                        assertThat(p.read().type()).isEqualTo("AUTH"); // admitted
                    } catch (EOFException closedAtOnce) {
                        refused++; // its source holds every slot, none of them for long: it waits its turn
                    }
                }
                // most are refused (a few more may be admitted in place of ones that have had their half second)
                assertThat(refused).isPositive();
                try (Client client = Client.connect(server.address(), "s")) { // from 127.0.0.1
                    assertThat(await(client.rpc("echo", "in"))).isEqualTo("in");
                }
                // the flood's oldest silent connection made room
                assertThat(silent.get(0).closedByServer()).isTrue();
            } finally {
                for (RawPeer p : silent) {
                    p.close();
                }
            }
        }
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnce() throws Exception {
        try (Server server = Server.builder("127.0.0.1:0").secret("s").maxConnections(2).listen()
                .register(new DemoService());
                Client one = Client.connect(server.address(), "s");
                Client two = Client.connect(server.address(), "s")) {
            await(one.whenOpen());
            await(two.whenOpen());
            try (Client three = Client.connect(server.address(), "s")) {
                assertThat(failure(three.whenOpen())).isInstanceOf(IOException.class);
            }
            assertThat(await(one.rpc("echo", 1))).isEqualTo(1);
            two.close();
            // a place is free again once a client has gone
            Client four = null;
            for (int attempt = 0; attempt < 50 && four == null; attempt++) {
                Client c = Client.connect(server.address(), "s");
                try {
                    await(c.whenOpen());
                    four = c;
                } catch (ExecutionException refused) {
                    c.close(); // the server may not have seen two's close yet
                }
            }
            assertThat(four).isNotNull();
            assertThat(await(four.rpc("echo", 4))).isEqualTo(4);
            four.close();
        }
    }
}
