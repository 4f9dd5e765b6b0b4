/**
 * Micrometer observations of kaa-rpc calls: an {@link kaa.rpc.OutgoingInterceptor}
 * and an {@link kaa.rpc.IncomingInterceptor} from
 * {@link kaa.rpc.micrometer.KaaRpcObservations}. Needs only the Observation API
 * ({@code micrometer.observation}); meters and spans come from the handlers a
 * user registers.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Micrometer's jars name their modules in their manifests
module kaa.rpc.micrometer {
    requires transitive kaa.rpc;
    requires transitive micrometer.observation;
    requires transitive micrometer.commons;

    exports kaa.rpc.micrometer;
}
