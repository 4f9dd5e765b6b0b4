package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** One word for how a call ended, and its error's type, through the wrappers of futures. */
class CallOutcomeTest {

    @Test
    void eachFailureHasItsOutcomeAndType() {
        RemoteException remote = new RemoteException("cmd", "KeyError", "'x'", List.of());
        assertThat(CallOutcome.of(null)).isEqualTo(CallOutcome.SUCCESS);
        assertThat(CallOutcome.errorType(null)).isNull();
        assertThat(CallOutcome.of(new CompletionException(remote))).isEqualTo(CallOutcome.REMOTE_ERROR);
        assertThat(CallOutcome.errorType(new ExecutionException(new CompletionException(remote))))
                .isEqualTo("KeyError");
        assertThat(CallOutcome.of(new TimeoutException())).isEqualTo(CallOutcome.TIMEOUT);
        assertThat(CallOutcome.of(new CancellationException())).isEqualTo(CallOutcome.CANCELLED);
        assertThat(CallOutcome.of(new NotConnectedException("gone"))).isEqualTo(CallOutcome.NOT_CONNECTED);
        assertThat(CallOutcome.of(new RejectedExecutionException())).isEqualTo(CallOutcome.REFUSED);
        CallRefusedException refused = new CallRefusedException("ValueError", "no");
        assertThat(CallOutcome.of(refused)).isEqualTo(CallOutcome.REFUSED);
        assertThat(CallOutcome.errorType(refused)).isEqualTo("ValueError");
        assertThat(CallOutcome.of(new IllegalStateException())).isEqualTo(CallOutcome.ERROR);
        assertThat(CallOutcome.errorType(new IllegalStateException())).isEqualTo("java.lang.IllegalStateException");
        assertThat(CallOutcome.cause(new CompletionException(null))).isInstanceOf(CompletionException.class);
        // the peer chooses remote types, user code its exceptions: those are the ones to bound
        assertThat(List.of(CallOutcome.values())).filteredOn(o -> !o.hasFewErrorTypes())
                .containsExactly(CallOutcome.REMOTE_ERROR, CallOutcome.ERROR);
    }

    @Test
    void aRemoteTypeThatIsNoTypesNameIsGivenAsTheClassThisSideSees() {
        for (String type : new String[] {"ValueError", "myapp.errors.Failed", "java.lang.IllegalStateException",
                "Outer$Inner", "Ünïcode.Fehler", "x".repeat(128)}) {
            assertThat(CallOutcome.errorType(new RemoteException("f", type, "", List.of()))).isEqualTo(type);
        }
        for (String type : new String[] {"", "evil\nINFO forged", "a b", "x".repeat(129), ".leading", "trailing.",
                "two..dots", "tab\t", "ctl\u0001", "quote'"}) {
            assertThat(CallOutcome.errorType(new RemoteException("f", type, "", List.of())))
                    .as(type).isEqualTo("kaa.rpc.RemoteException");
        }
    }
}
