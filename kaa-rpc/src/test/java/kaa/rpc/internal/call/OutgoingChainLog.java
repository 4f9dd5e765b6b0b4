package kaa.rpc.internal.call;

/** How many times an outgoing interceptor's failure was logged, for tests in other packages. */
public final class OutgoingChainLog {

    private OutgoingChainLog() {
    }

    public static long count() {
        return OutgoingChain.THREW.count();
    }
}
