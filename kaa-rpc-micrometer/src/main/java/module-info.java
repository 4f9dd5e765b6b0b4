/**
 * Micrometer observations of kaa-rpc calls: an {@link kaa.rpc.OutgoingInterceptor}
 * and an {@link kaa.rpc.IncomingInterceptor} from
 * {@link kaa.rpc.micrometer.KaaRpcObservations}. Needs only the Observation API
 * ({@code micrometer.observation}); meters and spans come from the handlers a
 * user registers. {@link kaa.rpc.micrometer.KaaRpcMeters}, a
 * {@link kaa.rpc.ConnectionObserver} of open connections, failed handshakes,
 * refusals and bytes, needs {@code micrometer.core} too, which this module
 * reads only if the application has it.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Micrometer's jars name their modules in their manifests
module kaa.rpc.micrometer {
    requires transitive kaa.rpc;
    requires transitive micrometer.observation;
    requires transitive micrometer.commons;
    requires static transitive micrometer.core; // KaaRpcMeters only: a user of it brings micrometer-core

    exports kaa.rpc.micrometer;
}
