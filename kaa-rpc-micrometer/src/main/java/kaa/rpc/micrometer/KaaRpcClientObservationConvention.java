package kaa.rpc.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The names and keys of a {@code kaa.rpc.client} observation; replace
 * {@link DefaultKaaRpcClientObservationConvention} with
 * {@link KaaRpcObservations.Builder#clientConvention}, or register a
 * {@link io.micrometer.observation.GlobalObservationConvention} of this
 * context on the registry.
 */
public interface KaaRpcClientObservationConvention extends ObservationConvention<KaaRpcClientContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof KaaRpcClientContext;
    }
}
