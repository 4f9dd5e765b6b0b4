package kaa.rpc.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The names and keys of a {@code kaa.rpc.server} observation; replace
 * {@link DefaultKaaRpcServerObservationConvention} with
 * {@link KaaRpcObservations.Builder#serverConvention}, or register a
 * {@link io.micrometer.observation.GlobalObservationConvention} of this
 * context on the registry.
 */
public interface KaaRpcServerObservationConvention extends ObservationConvention<KaaRpcServerContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof KaaRpcServerContext;
    }
}
