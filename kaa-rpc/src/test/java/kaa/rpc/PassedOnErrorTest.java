package kaa.rpc;

import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An error a callee's own call raised, let through to its caller: the caller
 * sees it as the far peer raised it, with the traceback of both hops.
 */
class PassedOnErrorTest {

    /** The far peer: its only command fails deep inside. */
    static class Far {
        @Expose
        void deep() {
            throw new IllegalStateException("deep down");
        }
    }

    /** The middle peer: each command calls the far peer and lets its failure through. */
    static class Middle {
        final Client far;

        Middle(Client far) {
            this.far = far;
        }

        @Expose
        Object relay(String command) throws Exception {
            return far.rpc(command).get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Expose
        Object rethrow(String command) throws Exception {
            try {
                return far.rpc(command).get(Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw (RemoteException) e.getCause();
            }
        }
    }

    private static RemoteException through(String middleCommand, String farCommand, boolean callSites)
            throws Exception {
        try (Server c = Server.builder("127.0.0.1:0").secret("s").register(new Far()).listen();
                Client toC = callSites ? Client.builder(c.address()).secret("s").callSites().connect()
                        : Client.connect(c.address(), "s");
                Server b = Server.builder("127.0.0.1:0").secret("s").register(new Middle(toC)).listen();
                Client a = Client.connect(b.address(), "s")) {
            Throwable t = failure(a.rpc(middleCommand, farCommand));
            assertThat(t).isInstanceOf(RemoteException.class);
            return (RemoteException) t;
        }
    }

    @Test
    void anUnknownCommandsKeyErrorReachesTheCallerAsTheFarPeerRaisedIt() throws Exception {
        for (String middle : new String[] {"relay", "rethrow"}) {
            RemoteException e = through(middle, "progress", false);
            assertThat(e.remoteType()).as(middle).isEqualTo("KeyError");
            assertThat(e.remoteMessage()).as(middle).isEqualTo("'progress'");
            assertThat(e.getMessage()).as(middle).endsWith("\nKeyError: 'progress'");
        }
    }

    @Test
    void theTracebackShowsTheFarPeersFramesThenTheMiddleHops() throws Exception {
        RemoteException e = through("relay", "deep", false);
        assertThat(e.remoteType()).isEqualTo("java.lang.IllegalStateException");
        assertThat(e.remoteMessage()).isEqualTo("deep down");
        assertThat(e.frames()).extracting(RemoteException.Frame::function)
                .containsSubsequence(Far.class.getName() + ".deep", Middle.class.getName() + ".relay");
    }

    @Test
    void aRethrownRemoteExceptionShowsWhereTheMiddleHopMadeTheCall() throws Exception {
        // the exception rethrown has no stack of its own: the recorded call site stands for it
        RemoteException e = through("rethrow", "deep", true);
        assertThat(e.frames()).extracting(RemoteException.Frame::function)
                .containsSubsequence(Far.class.getName() + ".deep", Middle.class.getName() + ".rethrow");
    }
}
