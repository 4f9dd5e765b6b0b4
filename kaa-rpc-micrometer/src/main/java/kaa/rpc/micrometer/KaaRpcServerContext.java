package kaa.rpc.micrometer;

import io.micrometer.observation.transport.RequestReplyReceiverContext;
import java.util.Objects;
import kaa.rpc.CallOutcome;
import kaa.rpc.IncomingCall;

/**
 * The context of a {@code kaa.rpc.server} observation: a call the peer makes
 * of this side. Its carrier is the call; a tracing handler reads what the
 * caller propagated from its {@linkplain IncomingCall#headers() headers}
 * (from a Python peer there are none: its calls start traces of their own).
 */
public class KaaRpcServerContext extends RequestReplyReceiverContext<IncomingCall, Object> implements CallContext {

    private final String method;
    private volatile CallOutcome outcome;
    private volatile String errorType = KaaRpcObservationDocumentation.NONE;

    /**
     * A context for one call.
     *
     * @param call the call as it arrived
     * @param method the bounded name of its command
     */
    public KaaRpcServerContext(IncomingCall call, String method) {
        super((carrier, key) -> carrier.headers().get(key));
        this.method = Objects.requireNonNull(method, "method");
        setCarrier(Objects.requireNonNull(call, "call"));
    }

    /** {@return the call as it arrived (its command unbounded)} */
    public IncomingCall getCall() {
        return getCarrier();
    }

    /** {@return the command, bounded: an exposed command's name, or {@code _OTHER} for an unknown one} */
    @Override
    public String getMethod() {
        return method;
    }

    /** {@return how the call ended, or null while it runs} */
    @Override
    public CallOutcome getOutcome() {
        return outcome;
    }

    /**
     * Sets how the call ended.
     *
     * @param outcome the outcome
     */
    @Override
    public void setOutcome(CallOutcome outcome) {
        this.outcome = outcome;
    }

    /** {@return the bounded {@code error.type}: {@code none} unless the call failed} */
    @Override
    public String getErrorType() {
        return errorType;
    }

    /**
     * Sets the bounded {@code error.type}.
     *
     * @param errorType the value
     */
    @Override
    public void setErrorType(String errorType) {
        this.errorType = Objects.requireNonNull(errorType, "errorType");
    }
}
