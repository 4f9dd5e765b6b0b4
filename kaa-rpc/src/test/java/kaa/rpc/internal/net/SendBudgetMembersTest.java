package kaa.rpc.internal.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import kaa.rpc.Client;
import org.junit.jupiter.api.Test;

/** The connections a budget looks through are those that are open, whatever became of the others. */
class SendBudgetMembersTest {

    /**
     * A connection attempt that fails never becomes active, so it never hears
     * channelInactive: its outbox must leave the clients' shared send budget
     * all the same, or a client retrying against a server that is down adds
     * one (and its channel and pipeline) per attempt, for ever.
     */
    @Test
    void aFailedConnectAttemptLeavesTheSharedSendBudget() throws Exception {
        String address;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            address = "127.0.0.1:" + probe.getLocalPort(); // nobody listens there once it is closed
        }
        for (int i = 0; i < 20; i++) {
            try (Client client = Client.builder(address).secret("s").connect()) {
                assertThat(client.whenOpen()).failsWithin(10, TimeUnit.SECONDS);
            }
        }
        Field f = SendBudget.class.getDeclaredField("members");
        f.setAccessible(true);
        Set<?> members = (Set<?>) f.get(SendBudget.sharedByClients());
        Field ch = Outbox.class.getDeclaredField("channel");
        ch.setAccessible(true);
        // the budget is the JVM's: another test's client may be closing this moment, its leave still queued on
        // its event loop; a leaked member stays for ever, so look again until none or the deadline
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long closed;
        do {
            closed = 0;
            for (Object o : members.toArray()) {
                if (!((Channel) ch.get(o)).isOpen()) {
                    closed++;
                }
            }
        } while (closed > 0 && System.nanoTime() < deadline && pause());
        assertThat(closed).as("outboxes of closed connections still in the shared send budget").isZero();
    }

    private static boolean pause() throws InterruptedException {
        Thread.sleep(10); // polling a set for what another test's closing leaves, not synchronising with it
        return true;
    }
}
