package kaa.rpc.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kaa.rpc.CallRefusedException;
import kaa.rpc.Client;
import kaa.rpc.Expose;
import kaa.rpc.IncomingInterceptor;
import kaa.rpc.OutgoingInterceptor;
import kaa.rpc.RemoteException;
import kaa.rpc.Server;
import kaa.rpc.internal.call.OutgoingChainLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** A throwing interceptor is logged once per failure; a refusal, which is an answer, is not logged. */
@Isolated // counts a process-wide log
class InterceptorLogTest {

    public static class Echo {
        @Expose
        public Object echo(Object x) {
            return x;
        }
    }

    @Test
    void eachFailureOfAnInterceptorIsLoggedOnceAndARefusalNever() throws Exception {
        IncomingInterceptor incoming = (call, next) -> {
            if (call.args().get(0).equals("throw")) {
                throw new IllegalStateException("bug");
            }
            if (call.args().get(0).equals("refuse")) {
                throw new CallRefusedException("no");
            }
            return next.proceed(call);
        };
        OutgoingInterceptor outgoing = (call, next) -> {
            if (call.args().get(0).equals("throw out")) {
                throw new IllegalStateException("bug out");
            }
            return next.proceed(call);
        };
        try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(incoming).listen()
                        .register(new Echo());
                Client c = Client.builder(s.address()).secret("s").interceptOutgoing(outgoing).connect()) {
            long in = IncomingChain.THREW.count();
            long out = OutgoingChainLog.count();
            assertThat(c.rpc("echo", "fine").get(10, TimeUnit.SECONDS)).isEqualTo("fine");
            assertFails(c, "throw");
            assertFails(c, "refuse");
            assertFails(c, "throw out");
            assertThat(IncomingChain.THREW.count() - in).isEqualTo(1);
            assertThat(OutgoingChainLog.count() - out).isEqualTo(1);
        }
    }

    private static void assertFails(Client c, String arg) throws Exception {
        try {
            c.rpc("echo", arg).get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected " + arg + " to fail");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOfAny(RemoteException.class, IllegalStateException.class);
        }
    }
}
