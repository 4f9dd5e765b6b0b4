/**
 * OpenTelemetry spans and metrics of kaa-rpc calls, after the RPC semantic
 * conventions: an {@link kaa.rpc.OutgoingInterceptor} and an
 * {@link kaa.rpc.IncomingInterceptor} from
 * {@link kaa.rpc.opentelemetry.KaaRpcTelemetry}. Needs only the OpenTelemetry
 * API; an SDK (or the Java agent) is the user's choice.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // OpenTelemetry's jars name their modules in their manifests
module kaa.rpc.opentelemetry {
    requires transitive kaa.rpc;
    requires transitive io.opentelemetry.api;
    requires transitive io.opentelemetry.context;

    exports kaa.rpc.opentelemetry;
}
