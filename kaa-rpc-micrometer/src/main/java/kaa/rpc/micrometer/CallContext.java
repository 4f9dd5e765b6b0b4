package kaa.rpc.micrometer;

import kaa.rpc.CallOutcome;

/**
 * What the client's and the server's contexts share (their Micrometer
 * superclasses differ): the bounded method, how the call ended, and its
 * answer; so that one stop and one set of low-cardinality keys serve both.
 */
interface CallContext {

    String getMethod();

    CallOutcome getOutcome();

    void setOutcome(CallOutcome outcome);

    String getErrorType();

    void setErrorType(String errorType);

    /**
     * Micrometer's own setter of each context's response (both are of {@code Object}).
     *
     * @param response the call's answer
     */
    void setResponse(Object response);
}
