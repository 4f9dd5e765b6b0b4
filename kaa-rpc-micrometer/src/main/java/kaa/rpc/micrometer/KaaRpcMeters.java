package kaa.rpc.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.ConnectionObserver;

/**
 * Meters of a peer's connections, as a {@link ConnectionObserver}: install it
 * with {@link kaa.rpc.PeerBuilder#observer(ConnectionObserver)}.
 *
 * <pre>{@code
 * Server server = Server.builder("127.0.0.1:0").secret("s")
 *         .observer(KaaRpcMeters.create(meterRegistry)).listen();
 * }</pre>
 *
 * <table>
 * <caption>The meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th></tr>
 * <tr><td>{@code kaa.rpc.connections.open}</td><td>gauge</td>
 *     <td>{@code network.transport} ({@code tcp}, {@code unix}), {@code kaa.rpc.peer} ({@code java}, {@code python})</td></tr>
 * <tr><td>{@code kaa.rpc.handshakes.failed}</td><td>counter</td>
 *     <td>{@code reason}: {@code wrong-secret}, {@code timeout}, {@code malformed}, {@code tls} or {@code closed}</td></tr>
 * <tr><td>{@code kaa.rpc.connections.refused}</td><td>counter</td>
 *     <td>{@code limit}: {@code maxConnections} or {@code maxHandshaking}</td></tr>
 * <tr><td>{@code kaa.rpc.bytes.received}, {@code kaa.rpc.bytes.sent}</td><td>counter, in bytes</td>
 *     <td>{@code type}: the packet's ({@code CALL}, {@code RETN}, {@code EXCP}, ...), {@code UNKNOWN} for a
 *     type the library does not name (a peer may send any four bytes)</td></tr>
 * </table>
 *
 * <p>Every tag's values are few (those the library names); each meter always
 * has the same tag keys. Its methods run on I/O threads, and only count: a
 * meter is made once per tag value, then looked up in a map.
 *
 * <p>This class needs {@code micrometer-core} (for {@link MeterRegistry}),
 * which this module declares optional: the observations need only
 * {@code micrometer-observation}, and a user of this class has
 * {@code micrometer-core} already (on the module path,
 * {@code requires micrometer.core}).
 */
public final class KaaRpcMeters implements ConnectionObserver {

    /**
     * The packet types the library names: any other is a peer's four bytes of
     * its choosing (ignored after the handshake), counted as {@code UNKNOWN}.
     */
    private static final Set<String> TYPES = Set.of("AUTH", "RESP", "CALL", "RETN", "EXCP", "CNCL", "DENY", "CALH");

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, AtomicLong> open = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> failed = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> refused = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> received = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> sent = new ConcurrentHashMap<>();

    private KaaRpcMeters(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * An observer that reports into {@code registry}. One may observe any
     * number of peers: their connections add up.
     *
     * @param registry where the meters go
     * @return the observer
     */
    public static KaaRpcMeters create(MeterRegistry registry) {
        return new KaaRpcMeters(registry);
    }

    @Override
    public void opened(ConnectionInfo c) {
        openCount(c).incrementAndGet();
    }

    @Override
    public void closed(ConnectionInfo c, Throwable reason) {
        openCount(c).decrementAndGet();
    }

    @Override
    public void handshakeFailed(SocketAddress remote, String reason) {
        counter(failed, "kaa.rpc.handshakes.failed", "reason", reason, null,
                "Connections that ended before their handshake completed").increment();
    }

    @Override
    public void refused(SocketAddress remote, String limit) {
        counter(refused, "kaa.rpc.connections.refused", "limit", limit, null,
                "New connections a server closed for a limit").increment();
    }

    @Override
    public void packetReceived(ConnectionInfo c, String type, long bytes) {
        counter(received, "kaa.rpc.bytes.received", "type", known(type), "bytes",
                "Bytes of the frames received after the handshake").increment(bytes);
    }

    @Override
    public void packetSent(ConnectionInfo c, String type, long bytes) {
        counter(sent, "kaa.rpc.bytes.sent", "type", known(type), "bytes",
                "Bytes of the frames sent after the handshake").increment(bytes);
    }

    private static String known(String type) {
        return TYPES.contains(type) ? type : KaaRpcObservationDocumentation.UNKNOWN;
    }

    private AtomicLong openCount(ConnectionInfo c) {
        String transport = c.transport() == ConnectionInfo.Transport.TCP ? "tcp" : "unix";
        String peer = c.peerIsJava() ? "java" : "python";
        return open.computeIfAbsent(transport + " " + peer, k -> {
            AtomicLong count = new AtomicLong();
            Gauge.builder("kaa.rpc.connections.open", count, AtomicLong::get)
                    .description("Connections open (their handshake done, not yet closed)")
                    .tags(Tags.of("network.transport", transport, "kaa.rpc.peer", peer)).register(registry);
            return count;
        });
    }

    private Counter counter(ConcurrentHashMap<String, Counter> counters, String name, String key, String value,
            String unit, String description) {
        String v = value == null ? KaaRpcObservationDocumentation.UNKNOWN : value;
        Counter counter = counters.get(v);
        if (counter == null) {
            counter = counters.computeIfAbsent(v, k -> Counter.builder(name).description(description).baseUnit(unit)
                    .tag(key, k).register(registry));
        }
        return counter;
    }
}
