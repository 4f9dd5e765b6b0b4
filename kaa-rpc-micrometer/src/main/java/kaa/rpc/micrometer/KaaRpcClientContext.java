package kaa.rpc.micrometer;

import io.micrometer.observation.transport.RequestReplySenderContext;
import java.util.Map;
import java.util.Objects;
import kaa.rpc.CallOutcome;
import kaa.rpc.OutgoingCall;

/**
 * The context of a {@code kaa.rpc.client} observation: a call this side makes.
 * Its carrier is the map of headers the call will carry: what a tracing
 * handler injects into it goes with the call to a peer of this library (a
 * Python peer gets none; see {@link kaa.rpc.RpcCall#headers()}).
 */
public class KaaRpcClientContext extends RequestReplySenderContext<Map<String, String>, Object> implements CallContext {

    private final OutgoingCall call;
    private final String method;
    private volatile CallOutcome outcome;
    private volatile String errorType = KaaRpcObservationDocumentation.NONE;

    /**
     * A context for one call.
     *
     * @param call the call as the interceptor got it
     * @param method the bounded name of its command
     * @param headers the carrier: headers for the call, mutable
     */
    public KaaRpcClientContext(OutgoingCall call, String method, Map<String, String> headers) {
        super((carrier, key, value) -> {
            if (carrier != null) {
                carrier.put(key, value);
            }
        });
        this.call = Objects.requireNonNull(call, "call");
        this.method = Objects.requireNonNull(method, "method");
        setCarrier(Objects.requireNonNull(headers, "headers"));
    }

    /** {@return the call as the interceptor got it (its command unbounded)} */
    public OutgoingCall getCall() {
        return call;
    }

    /** {@return the command, bounded: itself among the first distinct names, else {@code _OTHER}} */
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
