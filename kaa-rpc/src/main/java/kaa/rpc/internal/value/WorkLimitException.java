package kaa.rpc.internal.value;

/** A payload needed more work than its size allows (see {@link WorkBudget}). */
public final class WorkLimitException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    WorkLimitException(String why) {
        super("work limit exceeded: " + why, null, false, false);
    }
}
