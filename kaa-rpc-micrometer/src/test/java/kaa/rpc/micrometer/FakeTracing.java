package kaa.rpc.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import java.util.UUID;

/**
 * A tracer in miniature, as micrometer-tracing's propagating handlers work: an
 * observation's trace is its parent's, or the one a received call carries, or
 * a new one; a sender writes its trace into the carrier.
 */
final class FakeTracing implements ObservationHandler<Observation.Context> {

    static final String HEADER = "x-fake-trace";
    static final String TRACE = "fake.trace";

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void onStart(Observation.Context context) {
        String trace = null;
        if (context instanceof ReceiverContext) {
            ReceiverContext receiver = (ReceiverContext) context;
            trace = receiver.getGetter().get(receiver.getCarrier(), HEADER);
            context.put("fake.received", trace == null ? "nothing" : trace);
        }
        if (trace == null && context.getParentObservation() != null) {
            trace = context.getParentObservation().getContextView().get(TRACE);
        }
        if (trace == null) {
            trace = UUID.randomUUID().toString();
        }
        context.put(TRACE, trace);
        if (context instanceof SenderContext) {
            SenderContext sender = (SenderContext) context;
            sender.getSetter().set(sender.getCarrier(), HEADER, trace);
        }
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return true;
    }
}
