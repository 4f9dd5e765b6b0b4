package kaa.rpc.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import kaa.rpc.CallOutcome;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.IncomingCall;
import kaa.rpc.IncomingInterceptor;
import kaa.rpc.OutgoingCall;
import kaa.rpc.OutgoingInterceptor;

/**
 * Observes kaa-rpc calls with Micrometer: a {@code kaa.rpc.client}
 * observation around every call this side makes ({@link #outgoing()}), a
 * {@code kaa.rpc.server} observation around every call it serves
 * ({@link #incoming()}). Named by the call's direction, not by the socket's
 * role: a server calling back its client makes {@code kaa.rpc.client}
 * observations too.
 *
 * <pre>{@code
 * KaaRpcObservations observations = KaaRpcObservations.create(observationRegistry);
 * Client client = Client.builder(address).secret(secret)
 *         .interceptOutgoing(observations.outgoing()).interceptIncoming(observations.incoming()).connect();
 * }</pre>
 *
 * <p>One instance may serve any number of servers and clients; its bounds on
 * command names and error types are shared by all of them. With a no-op
 * registry ({@link ObservationRegistry#isNoop()}) the interceptors only go on.
 * See the package's documentation for the keys, the threads and the meters.
 */
public final class KaaRpcObservations {

    private final ObservationRegistry registry;
    private final KaaRpcClientObservationConvention clientConvention;
    private final KaaRpcServerObservationConvention serverConvention;
    private final BoundedNames clientMethods;
    private final BoundedNames errorTypes;
    private final OutgoingInterceptor outgoing = this::observeOutgoing;
    private final IncomingInterceptor incoming = this::observeIncoming;

    private KaaRpcObservations(Builder builder) {
        this.registry = builder.registry;
        this.clientConvention = builder.clientConvention;
        this.serverConvention = builder.serverConvention;
        this.clientMethods = new BoundedNames(builder.maxMethodNames);
        this.errorTypes = new BoundedNames(builder.maxErrorTypes);
    }

    /**
     * Observations into {@code registry}, with the default conventions and bounds.
     *
     * @param registry where the observations go
     * @return the observations
     */
    public static KaaRpcObservations create(ObservationRegistry registry) {
        return builder(registry).build();
    }

    /**
     * A builder of observations into {@code registry}.
     *
     * @param registry where the observations go
     * @return a builder
     */
    public static Builder builder(ObservationRegistry registry) {
        return new Builder(registry);
    }

    /**
     * The interceptor of calls this side makes: install it with
     * {@link kaa.rpc.PeerBuilder#interceptOutgoing}. It starts a
     * {@code kaa.rpc.client} observation on the caller's thread, adds what the
     * handlers propagate as headers of the call, and stops it where the call
     * completes (on the channel's executor).
     *
     * @return the interceptor, the same every time
     */
    public OutgoingInterceptor outgoing() {
        return outgoing;
    }

    /**
     * The interceptor of calls this side serves: install it with
     * {@link kaa.rpc.PeerBuilder#interceptIncoming}. It starts a
     * {@code kaa.rpc.server} observation on the thread the exposed method runs
     * on, with what the caller propagated in the headers, keeps it in scope
     * while the chain goes on on that thread (so that calls a synchronous
     * method makes are its children), and stops it when the answer is ready.
     *
     * @return the interceptor, the same every time
     */
    public IncomingInterceptor incoming() {
        return incoming;
    }

    private CompletionStage<?> observeOutgoing(OutgoingCall call, OutgoingInterceptor.Next next) {
        if (registry.isNoop()) {
            return next.proceed(call);
        }
        Map<String, String> headers = new LinkedHashMap<>(4);
        KaaRpcClientContext context = new KaaRpcClientContext(call, clientMethods.bound(call.command()), headers);
        ConnectionInfo connection = call.connection();
        if (connection != null) {
            context.setRemoteServiceAddress(PeerKeys.address(connection.remoteAddress()));
        }
        Observation observation = KaaRpcObservationDocumentation.CLIENT
                .observation(clientConvention, DefaultKaaRpcClientObservationConvention.INSTANCE, () -> context,
                        registry)
                .start();
        OutgoingCall out = call;
        if (connection == null || connection.peerIsJava()) { // a Python peer never gets headers: skip the copies
            for (Map.Entry<String, String> header : headers.entrySet()) {
                try {
                    out = out.withHeader(header.getKey(), header.getValue());
                } catch (IllegalArgumentException tooLong) {
                    // a header the call cannot carry is left out, rather than failing the call
                }
            }
        }
        CompletableFuture<Object> answer;
        try {
            answer = next.proceed(out);
        } catch (RuntimeException | Error e) {
            stop(observation, context, null, e);
            throw e;
        }
        return answer.whenComplete((value, error) -> stop(observation, context, value, error));
    }

    /** Ends the observation of a call, made or served: its outcome, its answer or error, then the stop. */
    private void stop(Observation observation, CallContext context, Object value, Throwable error) {
        context.setOutcome(CallOutcome.of(error));
        if (error == null) {
            context.setResponse(value);
        } else {
            context.setErrorType(errorType(error));
            observation.error(CallOutcome.cause(error));
        }
        observation.stop();
    }

    private CompletionStage<?> observeIncoming(IncomingCall call, IncomingInterceptor.Next next) {
        if (registry.isNoop()) {
            return next.proceed(call);
        }
        KaaRpcServerContext context = new KaaRpcServerContext(call,
                call.isKnownCommand() ? call.command() : KaaRpcObservationDocumentation.OTHER);
        ConnectionInfo connection = call.connection();
        if (connection != null) {
            context.setRemoteServiceAddress(PeerKeys.address(connection.remoteAddress()));
        }
        Observation observation = KaaRpcObservationDocumentation.SERVER
                .observation(serverConvention, DefaultKaaRpcServerObservationConvention.INSTANCE, () -> context,
                        registry)
                .start();
        CompletionStage<Object> answer;
        try (Observation.Scope scope = observation.openScope()) {
            answer = next.proceed(call);
        } catch (RuntimeException | Error e) {
            stop(observation, context, null, e);
            throw e;
        }
        return answer.whenComplete((value, error) -> stop(observation, context, value, error));
    }

    /** Options of {@link KaaRpcObservations}; each has a default. */
    public static final class Builder {

        private final ObservationRegistry registry;
        private KaaRpcClientObservationConvention clientConvention;
        private KaaRpcServerObservationConvention serverConvention;
        private int maxMethodNames = 100;
        private int maxErrorTypes = 100;

        private Builder(ObservationRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /**
         * The convention of {@code kaa.rpc.client} observations (default: a
         * global one registered on the registry, else
         * {@link DefaultKaaRpcClientObservationConvention}).
         *
         * @param convention the convention
         * @return this builder
         */
        public Builder clientConvention(KaaRpcClientObservationConvention convention) {
            this.clientConvention = Objects.requireNonNull(convention, "convention");
            return this;
        }

        /**
         * The convention of {@code kaa.rpc.server} observations (default: a
         * global one registered on the registry, else
         * {@link DefaultKaaRpcServerObservationConvention}).
         *
         * @param convention the convention
         * @return this builder
         */
        public Builder serverConvention(KaaRpcServerObservationConvention convention) {
            this.serverConvention = Objects.requireNonNull(convention, "convention");
            return this;
        }

        /**
         * How many distinct commands of calls this side makes are recorded as
         * themselves in {@code rpc.method} (default 100); later ones are
         * {@code _OTHER}. (A served call's command is itself if it is exposed,
         * else {@code _OTHER}, whatever this says.)
         *
         * @param max at least 0
         * @return this builder
         */
        public Builder maxMethodNames(int max) {
            this.maxMethodNames = atLeastZero(max, "maxMethodNames");
            return this;
        }

        /**
         * How many distinct remote error types and exception classes are
         * recorded as themselves in {@code error.type} (default 100); later
         * ones are {@code _OTHER}.
         *
         * @param max at least 0
         * @return this builder
         */
        public Builder maxErrorTypes(int max) {
            this.maxErrorTypes = atLeastZero(max, "maxErrorTypes");
            return this;
        }

        /**
         * The observations, as configured.
         *
         * @return a new instance, with bounds of its own
         */
        public KaaRpcObservations build() {
            return new KaaRpcObservations(this);
        }

        private static int atLeastZero(int max, String name) {
            if (max < 0) {
                throw new IllegalArgumentException(name + " must be at least 0, got " + max);
            }
            return max;
        }
    }

    /** A failure's {@code error.type}: one of a fixed few as itself, the others the first so many, then {@code _OTHER}. */
    private String errorType(Throwable error) {
        String type = CallOutcome.errorType(error);
        return CallOutcome.of(error).hasFewErrorTypes() ? type : errorTypes.bound(type);
    }
}
