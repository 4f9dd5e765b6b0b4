package kaa.rpc.micrometer;

import static kaa.rpc.micrometer.Fixtures.await;
import static kaa.rpc.micrometer.Fixtures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import kaa.rpc.CallRefusedException;
import kaa.rpc.Client;
import kaa.rpc.IncomingInterceptor;
import kaa.rpc.NotConnectedException;
import kaa.rpc.RemoteException;
import kaa.rpc.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The observations of calls made and served: one per call and side, for every
 * outcome, with one key set; bounded method names and error types; context
 * carried in headers between two Java peers, and none with a Python peer.
 */
class KaaRpcObservationsTest {

    private static final Set<String> LOW_KEYS = Set.of("rpc.system", "rpc.method", "outcome", "error.type");

    /** Refuses {@code echo("forbidden")}, as an access check would. */
    private static final IncomingInterceptor REFUSE_FORBIDDEN = (call, next) -> {
        if (call.command().equals("echo") && call.args().equals(List.of("forbidden"))) {
            throw new CallRefusedException("forbidden");
        }
        return next.proceed(call);
    };

    /** A registry whose observations become meters of {@code meters}, and whose stops {@code stops} hears of last. */
    private static ObservationRegistry metered(SimpleMeterRegistry meters, Stops stops) {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(stops)
                .observationHandler(new DefaultMeterObservationHandler(meters));
        return registry;
    }

    private static Map<String, String> low(Observation.Context context) {
        return toMap(context.getLowCardinalityKeyValues());
    }

    private static Map<String, String> high(Observation.Context context) {
        return toMap(context.getHighCardinalityKeyValues());
    }

    private static Map<String, String> toMap(KeyValues values) {
        Map<String, String> map = new TreeMap<>();
        for (KeyValue kv : values) {
            map.put(kv.getKey(), kv.getValue());
        }
        return map;
    }

    /** The next two observations to stop, a call's client and server ones, by name. */
    private static Map<String, Observation.Context> callOfBothSides(Stops stops) throws InterruptedException {
        Map<String, Observation.Context> byName = new HashMap<>();
        for (Observation.Context c : stops.next(2)) {
            byName.put(c.getName(), c);
        }
        assertThat(byName).containsOnlyKeys("kaa.rpc.client", "kaa.rpc.server");
        return byName;
    }

    private static String summary(Observation.Context c) {
        Map<String, String> low = low(c);
        return low.get("rpc.method") + " " + low.get("outcome") + " " + low.get("error.type");
    }

    @Test
    void everyOutcomeIsRecordedOnBothSidesWithOneKeySet() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Stops stops = new Stops();
        KaaRpcObservations observations = KaaRpcObservations.create(metered(meters, stops));
        Fixtures.Service service = new Fixtures.Service();
        List<String> client = new ArrayList<>();
        List<String> server = new ArrayList<>();
        try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(observations.incoming())
                        .interceptIncoming(REFUSE_FORBIDDEN).listen().register(service);
                Client c = Client.builder(s.address()).secret("s").interceptOutgoing(observations.outgoing())
                        .connect()) {
            await(c.whenOpen()); // a call made before has no connection to describe
            assertThat(await(c.rpc("echo", "x"))).isEqualTo("x");
            Map<String, Observation.Context> both = callOfBothSides(stops);
            client.add(summary(both.get("kaa.rpc.client")));
            server.add(summary(both.get("kaa.rpc.server")));
            assertThat(high(both.get("kaa.rpc.client"))).containsEntry("kaa.rpc.peer", "java")
                    .containsEntry("network.transport", "tcp")
                    .containsEntry("network.peer.address", s.address());
            assertThat(high(both.get("kaa.rpc.server"))).containsEntry("kaa.rpc.peer", "java")
                    .containsEntry("network.transport", "tcp").containsKeys("kaa.rpc.seq", "network.peer.address");
            assertThat(both.get("kaa.rpc.client").getContextualName()).isEqualTo("echo");

            for (Object[] call : List.of(new Object[] {"fail", "no"}, new Object[] {"nosuch"},
                    new Object[] {"echo", "forbidden"}, new Object[] {"add", 1})) { // one after the other
                assertThat(failure(c.rpc((String) call[0], java.util.Arrays.copyOfRange(call, 1, call.length))))
                        .isInstanceOf(RemoteException.class);
                both = callOfBothSides(stops);
                client.add(summary(both.get("kaa.rpc.client")));
                server.add(summary(both.get("kaa.rpc.server")));
            }

            CompletableFuture<Object> cancelled = c.rpc("block");
            assertThat(service.blockStarted.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(cancelled.cancel(true)).isTrue();
            both = callOfBothSides(stops);
            client.add(summary(both.get("kaa.rpc.client")));
            server.add(summary(both.get("kaa.rpc.server")));

            assertThat(failure(c.withTimeout(Duration.ofMillis(100)).rpc("block")))
                    .isInstanceOf(java.util.concurrent.TimeoutException.class);
            both = callOfBothSides(stops); // the peer hears the call is no longer wanted
            client.add(summary(both.get("kaa.rpc.client")));
            server.add(summary(both.get("kaa.rpc.server")));

            c.close();
            assertThat(failure(c.rpc("echo", 1))).isInstanceOf(NotConnectedException.class);
            Observation.Context unconnected = stops.next();
            client.add(summary(unconnected));
            assertThat(high(unconnected)).containsEntry("kaa.rpc.peer", "UNKNOWN");
        }
        // the connection lost while a call runs
        Fixtures.Service other = new Fixtures.Service();
        Server s2 = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(observations.incoming()).listen()
                .register(other);
        try (Client c2 = Client.builder(s2.address()).secret("s").interceptOutgoing(observations.outgoing())
                .connect()) {
            CompletableFuture<Object> lost = c2.rpc("block");
            assertThat(other.blockStarted.await(10, TimeUnit.SECONDS)).isTrue();
            s2.close();
            assertThat(failure(lost)).isInstanceOf(NotConnectedException.class);
            Map<String, Observation.Context> both = callOfBothSides(stops);
            client.add(summary(both.get("kaa.rpc.client")));
            server.add(summary(both.get("kaa.rpc.server")));
        }

        assertThat(client).containsExactly("echo SUCCESS none",
                "fail REMOTE_ERROR java.lang.IllegalStateException",
                "nosuch REMOTE_ERROR KeyError",
                "echo REMOTE_ERROR RuntimeError",
                "add REMOTE_ERROR TypeError",
                "block CANCELLED java.util.concurrent.CancellationException",
                "block TIMEOUT java.util.concurrent.TimeoutException",
                "echo NOT_CONNECTED kaa.rpc.NotConnectedException",
                "block NOT_CONNECTED kaa.rpc.NotConnectedException");
        assertThat(server).containsExactly("echo SUCCESS none",
                "fail ERROR java.lang.IllegalStateException",
                "_OTHER REFUSED KeyError",
                "echo REFUSED RuntimeError",
                "add REFUSED TypeError",
                "block CANCELLED java.util.concurrent.CancellationException",
                "block CANCELLED java.util.concurrent.CancellationException",
                "block CANCELLED java.util.concurrent.CancellationException");

        // one timer per distinct key values, every one with the same keys (plus the meter handler's "error")
        for (String name : List.of("kaa.rpc.client", "kaa.rpc.server")) {
            List<Timer> timers = new ArrayList<>(meters.find(name).timers());
            assertThat(timers).isNotEmpty();
            Set<Set<String>> keySets = timers.stream()
                    .map(t -> t.getId().getTags().stream().map(Tag::getKey).collect(Collectors.toCollection(TreeSet::new)))
                    .collect(Collectors.toSet());
            assertThat(keySets).containsExactly(new TreeSet<>(Set.of("rpc.system", "rpc.method", "outcome",
                    "error.type", "error")));
            assertThat(timers).allSatisfy(t -> assertThat(t.getId().getTag("rpc.system")).isEqualTo("kaa_rpc"));
            // calls in flight: the long task timer, tagged as at the start, idle now
            LongTaskTimer active = meters.get(name + ".active").longTaskTimer();
            assertThat(active.activeTasks()).isZero();
            assertThat(active.getId().getTag("outcome")).isEqualTo("UNKNOWN");
        }
        assertThat(meters.get("kaa.rpc.client").tags("outcome", "TIMEOUT").timer().count()).isEqualTo(1);
        assertThat(meters.get("kaa.rpc.client").tags("outcome", "NOT_CONNECTED").timers().stream()
                .mapToLong(Timer::count).sum()).isEqualTo(2);
        assertThat(meters.get("kaa.rpc.server").tags("rpc.method", "_OTHER", "error.type", "KeyError").timer()
                .count()).isEqualTo(1);
        assertThat(meters.getMeters().stream().map(Meter::getId).map(Meter.Id::getName).distinct())
                .containsExactlyInAnyOrder("kaa.rpc.client", "kaa.rpc.client.active", "kaa.rpc.server",
                        "kaa.rpc.server.active");
        assertThat(stops.isEmpty()).isTrue();
    }

    @Test
    void callsInFlightAreTheActiveLongTaskTimers() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Stops stops = new Stops();
        KaaRpcObservations observations = KaaRpcObservations.create(metered(meters, stops));
        Fixtures.Service service = new Fixtures.Service();
        try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(observations.incoming())
                        .listen().register(service);
                Client c = Client.builder(s.address()).secret("s").interceptOutgoing(observations.outgoing())
                        .connect()) {
            CompletableFuture<Object> running = c.rpc("block");
            assertThat(service.blockStarted.await(10, TimeUnit.SECONDS)).isTrue();
            LongTaskTimer client = meters.get("kaa.rpc.client.active").tags("rpc.method", "block").longTaskTimer();
            LongTaskTimer server = meters.get("kaa.rpc.server.active").tags("rpc.method", "block").longTaskTimer();
            assertThat(client.activeTasks()).isEqualTo(1);
            assertThat(server.activeTasks()).isEqualTo(1);
            service.release.countDown();
            assertThat(await(running)).isEqualTo("released");
            callOfBothSides(stops);
            assertThat(client.activeTasks()).isZero();
            assertThat(server.activeTasks()).isZero();
            assertThat(meters.get("kaa.rpc.client").tags("outcome", "SUCCESS").timer().count()).isEqualTo(1);
        }
    }

    @Test
    void aServerCallingBackItsClientMakesClientObservationsAndTheTraceGoesAcross() throws Exception {
        TestObservationRegistry registry = TestObservationRegistry.create();
        Stops stops = new Stops();
        registry.observationConfig().observationHandler(stops).observationHandler(new FakeTracing());
        KaaRpcObservations observations = KaaRpcObservations.create(registry);
        try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(observations.incoming())
                        .interceptOutgoing(observations.outgoing()).listen().register(new Fixtures.Service());
                Client c = Client.builder(s.address()).secret("s").interceptOutgoing(observations.outgoing())
                        .interceptIncoming(observations.incoming()).register(new Fixtures.Service()).connect()) {
            await(c.whenOpen());
            assertThat(await(c.rpc("relay", "echo", "back"))).isEqualTo("back");
            // inner first: the client's serving of the callback, the server's call of it, then the outer call
            List<Observation.Context> contexts = stops.next(4);
            assertThat(contexts).extracting(Observation.Context::getName).containsExactlyInAnyOrder(
                    "kaa.rpc.server", "kaa.rpc.client", "kaa.rpc.server", "kaa.rpc.client");
            Set<String> traces = contexts.stream().map(ctx -> (String) ctx.get(FakeTracing.TRACE))
                    .collect(Collectors.toSet());
            assertThat(traces).hasSize(1); // one trace: headers went both ways, nested calls were children
            for (Observation.Context ctx : contexts) {
                if (ctx.getName().equals("kaa.rpc.server")) {
                    assertThat((String) ctx.get("fake.received")).isEqualTo(traces.iterator().next());
                    assertThat(((KaaRpcServerContext) ctx).getCall().headers()).containsKey(FakeTracing.HEADER);
                }
            }
            KaaRpcClientContext nested = contexts.stream().filter(KaaRpcClientContext.class::isInstance)
                    .map(KaaRpcClientContext.class::cast).filter(ctx -> ctx.getMethod().equals("echo")).findFirst()
                    .orElseThrow();
            assertThat(nested.getParentObservation().getContextView().getName()).isEqualTo("kaa.rpc.server");
            assertThat(nested.getCarrier()).containsKey(FakeTracing.HEADER);
        }
        TestObservationRegistryAssert.assertThat(registry)
                .hasNumberOfObservationsWithNameEqualTo("kaa.rpc.client", 2)
                .hasNumberOfObservationsWithNameEqualTo("kaa.rpc.server", 2)
                .forAllObservationsWithNameEqualTo("kaa.rpc.client", o -> o
                        .hasLowCardinalityKeyValue("outcome", "SUCCESS").hasLowCardinalityKeyValue("error.type", "none")
                        .hasLowCardinalityKeyValue("rpc.system", "kaa_rpc")
                        .hasHighCardinalityKeyValue("kaa.rpc.peer", "java"))
                .forAllObservationsWithNameEqualTo("kaa.rpc.server", o -> o
                        .hasLowCardinalityKeyValue("outcome", "SUCCESS"))
                .hasAnObservation(o -> o.hasNameEqualTo("kaa.rpc.client").hasContextualNameEqualTo("relay"))
                .hasAnObservation(o -> o.hasNameEqualTo("kaa.rpc.client").hasContextualNameEqualTo("echo"));
    }

    @Test
    void commandsPastTheBoundAndUnknownOnesAreOther() throws Exception {
        TestObservationRegistry registry = TestObservationRegistry.create();
        Stops stops = new Stops();
        registry.observationConfig().observationHandler(stops);
        KaaRpcObservations observations = KaaRpcObservations.builder(registry).maxMethodNames(2).maxErrorTypes(1)
                .build();
        List<String> client = new ArrayList<>();
        List<String> server = new ArrayList<>();
        try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(observations.incoming())
                        .listen().register(new Fixtures.Service());
                Client c = Client.builder(s.address()).secret("s").interceptOutgoing(observations.outgoing())
                        .connect()) {
            for (String command : List.of("echo", "nosuch", "add", "echo", "nosuch2")) {
                c.rpc(command, 1, 2).handle((v, e) -> v).get(10, TimeUnit.SECONDS);
                Map<String, Observation.Context> both = callOfBothSides(stops);
                client.add(summary(both.get("kaa.rpc.client")));
                server.add(summary(both.get("kaa.rpc.server")));
            }
        }
        // the client admits "echo" and "nosuch", then calls "add" _OTHER; of error types it admits the first,
        // TypeError, then calls KeyError _OTHER; a served call's refusal is the builtin it names, unbounded
        assertThat(client).containsExactly("echo REMOTE_ERROR TypeError", "nosuch REMOTE_ERROR _OTHER",
                "_OTHER SUCCESS none", "echo REMOTE_ERROR TypeError", "_OTHER REMOTE_ERROR _OTHER");
        assertThat(server).containsExactly("echo REFUSED TypeError", "_OTHER REFUSED KeyError", "add SUCCESS none",
                "echo REFUSED TypeError", "_OTHER REFUSED KeyError");
        TestObservationRegistryAssert.assertThat(registry).hasAnObservation(o -> o.hasNameEqualTo("kaa.rpc.client")
                .hasContextualNameEqualTo("_OTHER"));
        assertThatThrownBy(() -> KaaRpcObservations.builder(registry).maxMethodNames(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aConventionReplacesTheNamesAndKeys() throws Exception {
        TestObservationRegistry registry = TestObservationRegistry.create();
        Stops stops = new Stops();
        registry.observationConfig().observationHandler(stops);
        KaaRpcObservations observations = KaaRpcObservations.builder(registry)
                .clientConvention(new DefaultKaaRpcClientObservationConvention() {
                    @Override
                    public String getName() {
                        return "my.rpc";
                    }

                    @Override
                    public KeyValues getLowCardinalityKeyValues(KaaRpcClientContext context) {
                        return super.getLowCardinalityKeyValues(context).and("tenant", "t1");
                    }
                }).build();
        try (Server s = Server.builder("127.0.0.1:0").secret("s").listen().register(new Fixtures.Service());
                Client c = Client.builder(s.address()).secret("s").interceptOutgoing(observations.outgoing())
                        .connect()) {
            assertThat(await(c.rpc("echo", 1))).isEqualTo(1);
            Observation.Context context = stops.next();
            assertThat(context.getName()).isEqualTo("my.rpc");
            assertThat(low(context)).containsEntry("tenant", "t1").containsKeys(LOW_KEYS.toArray(String[]::new));
        }
    }

    @Test
    void aNoopRegistryOnlyGoesOn() throws Exception {
        KaaRpcObservations observations = KaaRpcObservations.create(ObservationRegistry.NOOP);
        try (Server s = Server.builder("127.0.0.1:0").secret("s").interceptIncoming(observations.incoming())
                        .listen().register(new Fixtures.Service());
                Client c = Client.builder(s.address()).secret("s").interceptOutgoing(observations.outgoing())
                        .connect()) {
            assertThat(await(c.rpc("add", 2, 3))).isEqualTo(5);
        }
    }

    @Test
    void callsToAndFromAPythonPeerAreRecordedWithoutLinks(@TempDir Path dir) throws Exception {
        TestObservationRegistry registry = TestObservationRegistry.create();
        Stops stops = new Stops();
        registry.observationConfig().observationHandler(stops).observationHandler(new FakeTracing());
        KaaRpcObservations observations = KaaRpcObservations.create(registry);
        // this side calls Python
        try (Fixtures.PythonPeer python = Fixtures.PythonPeer.serve(dir, "sekrit");
                Client c = Client.builder(python.address()).secret("sekrit")
                        .interceptOutgoing(observations.outgoing()).connect()) {
            await(c.whenOpen());
            assertThat(await(c.rpc("echo", "hi"))).isEqualTo("hi");
            assertThat(((RemoteException) failure(c.rpc("fail", "boom"))).remoteType()).isEqualTo("ValueError");
            List<Observation.Context> contexts = stops.next(2);
            assertThat(contexts).extracting(KaaRpcObservationsTest::summary)
                    .containsExactly("echo SUCCESS none", "fail REMOTE_ERROR ValueError");
            assertThat(contexts).allSatisfy(ctx -> assertThat(high(ctx)).containsEntry("kaa.rpc.peer", "python"));
        }
        // Python calls this side: no headers came, so the observation starts a trace of its own
        try (Server s = Server.builder("127.0.0.1:0").secret("sekrit").interceptIncoming(observations.incoming())
                .listen().register(new Fixtures.Service())) {
            assertThat(Fixtures.PythonPeer.run(dir, "call", s.address(), "sekrit", "add", "2", "3"))
                    .containsExactly("add 5");
            Observation.Context served = stops.next();
            assertThat(summary(served)).isEqualTo("add SUCCESS none");
            assertThat(high(served)).containsEntry("kaa.rpc.peer", "python");
            assertThat((String) served.get("fake.received")).isEqualTo("nothing");
            assertThat(((KaaRpcServerContext) served).getCall().headers()).isEmpty();
        }
    }
}
