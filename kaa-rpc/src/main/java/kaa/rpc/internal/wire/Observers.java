package kaa.rpc.internal.wire;

import java.net.SocketAddress;
import java.util.List;
import java.util.function.Consumer;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.ConnectionObserver;
import kaa.rpc.internal.log.PeerLog;

/**
 * The observers of a server's or client's connections, each called in the
 * order added; what one throws is logged (rate-limited) and ignored, so that
 * an observer never breaks a connection nor keeps the next observer from
 * being told.
 */
public final class Observers {

    /** The limits {@link ConnectionObserver#refused} names: the builder options. */
    public static final String MAX_CONNECTIONS = "maxConnections";
    public static final String MAX_HANDSHAKING = "maxHandshaking";

    /** An observer that throws may do so on every packet: one line a second. */
    private static final PeerLog FAILED = PeerLog.warn(Observers.class, "connection observer failed");

    private final ConnectionObserver[] all;

    private Observers(ConnectionObserver[] all) {
        this.all = all;
    }

    /**
     * The observers {@code list} holds (a {@link WireTrace} among them is not
     * one: it is the trace), or null when it holds none: then nothing is
     * called at all.
     */
    public static Observers of(List<ConnectionObserver> list) {
        ConnectionObserver[] all = list.stream().filter(o -> !(o instanceof WireTrace))
                .toArray(ConnectionObserver[]::new);
        return all.length == 0 ? null : new Observers(all);
    }

    public void opened(ConnectionInfo c) {
        tell("opened", o -> o.opened(c));
    }

    public void closed(ConnectionInfo c, Throwable reason) {
        tell("closed", o -> o.closed(c, reason));
    }

    public void handshakeFailed(SocketAddress remote, String reason) {
        tell("handshakeFailed", o -> o.handshakeFailed(remote, reason));
    }

    public void refused(SocketAddress remote, String limit) {
        tell("refused", o -> o.refused(remote, limit));
    }

    /**
     * Tells every observer of a connection's event, once a connection at
     * most (the packets' own methods loop without a lambda: they run per packet).
     */
    private void tell(String method, Consumer<ConnectionObserver> event) {
        for (ConnectionObserver o : all) {
            try {
                event.accept(o);
            } catch (Throwable e) { // a sneaky checked one, an AssertionError too
                failed(o, method, e);
            }
        }
    }

    public void packetReceived(ConnectionInfo c, String type, long bytes) {
        for (ConnectionObserver o : all) {
            try {
                o.packetReceived(c, type, bytes);
            } catch (Throwable e) { // a sneaky checked one, an AssertionError too
                failed(o, "packetReceived", e);
            }
        }
    }

    public void packetSent(ConnectionInfo c, String type, long bytes) {
        for (ConnectionObserver o : all) {
            try {
                o.packetSent(c, type, bytes);
            } catch (Throwable e) { // a sneaky checked one, an AssertionError too
                failed(o, "packetSent", e);
            }
        }
    }

    /** Logs what an observer threw; only the JVM's own failures (out of memory, say, not a stack overflow) go on. */
    private static void failed(ConnectionObserver o, String method, Throwable e) {
        if (e instanceof VirtualMachineError vm && !(e instanceof StackOverflowError)) {
            throw vm;
        }
        FAILED.log("connection observer {}.{} threw, ignored", o.getClass().getName(), method, e);
    }
}
