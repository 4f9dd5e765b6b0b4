package kaa.rpc.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import kaa.rpc.ConnectionObserver;
import kaa.rpc.IncomingInterceptor;
import kaa.rpc.OutgoingInterceptor;
import kaa.rpc.RemoteException;
import kaa.rpc.internal.exec.CallbackExecutors;
import kaa.rpc.internal.exec.Durations;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.ReceiveBudget;
import kaa.rpc.internal.net.SendBudget;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.SendPolicy;

/** The settings of a server or client, with their defaults; filled in by the public builders. */
public final class Options {

    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_CONCURRENT_CALLS = 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /**
     * Handshakes at once: enough that a flood of silent connections leaves each
     * its minimum age while turning over a thousand or more a second (a silent
     * connection costs a few KiB).
     */
    public static final int DEFAULT_MAX_HANDSHAKING = 1024;
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(30);

    public byte[] secret = new byte[0];
    public Executor executor = CallbackExecutors.defaultExecutor();
    public long maxFrameSize = FrameLimits.DEFAULT_MAX_FRAME_SIZE;
    public Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    /** Default time-out of the channel's calls, or null for none. */
    public Duration callTimeout;
    /** Client only: reconnect interval, or null for no reconnection. */
    public Duration retry;
    /** Client only: calls made while it reconnects wait for the next open instead of failing at once. */
    public boolean waitForReady;
    /** How long a call without a time-out of its own waits for the connection to open. */
    public Duration readyTimeout = DEFAULT_READY_TIMEOUT;
    /** Turns a remote error into an exception a proxy method declares, or null; then the library's rule alone. */
    public Function<RemoteException, ? extends Exception> remoteErrors;
    public Set<PosixFilePermission> socketPermissions = PosixFilePermissions.fromString("rw-------");
    /** Calls of the peer that may run at once on one channel; beyond, the channel stops reading. */
    public int maxConcurrentCalls = DEFAULT_MAX_CONCURRENT_CALLS;
    /** Server only: connections open at once, and connections still in their handshake. */
    public int maxConnections = DEFAULT_MAX_CONNECTIONS;
    public int maxHandshaking = DEFAULT_MAX_HANDSHAKING;
    /** Probe a channel that has been silent this long, or null for never. */
    public Duration heartbeatInterval;
    /** How long a heartbeat probe may go unanswered before the channel is closed. */
    public Duration heartbeatTimeout = Duration.ofSeconds(10);
    /** TLS around the kaa protocol, or null for plain TCP (what Python kaa peers speak). */
    public SSLContext tls;
    /** Server only: ask clients for a certificate and refuse those without a trusted one. */
    public boolean tlsClientAuth;
    /** Socket receive/send buffer size in bytes, or 0 for the system's default. */
    public int bufferSize;
    /** How long a frame may take to arrive, from its first byte to its last. */
    public Duration frameTimeout = FrameLimits.DEFAULT_FRAME_TIMEOUT;
    /** Memory for large frames being received: its size in bytes, or 0 for the default. */
    public long receiveBudgetBytes;
    /** The budget itself: made per server, or shared by clients; set when the server or client is built. */
    public ReceiveBudget receiveBudget;
    /** What connections may hold unsent in all: its size in bytes, or 0 for the default. */
    public long sendBudgetBytes;
    /** The budget itself: made per server, or shared by clients; set when the server or client is built. */
    public SendBudget sendBudget;
    /** Run every exposed method on the I/O thread that decoded its call. */
    public boolean directDispatch;
    public boolean callSites;
    /** Which Python objects a peer sent may be sent on. */
    public SendPolicy pythonObjects = SendPolicy.DEFAULT;
    /** What a Decimal a peer sent may be. */
    public DecimalLimits decimalLimits = DecimalLimits.DEFAULT;
    /** Around every call made, and every call served: the first is the outermost. */
    public List<OutgoingInterceptor> outgoingInterceptors = new ArrayList<>();
    public List<IncomingInterceptor> incomingInterceptors = new ArrayList<>();
    /**
     * Told of every connection, in this order; empty for none (then nothing
     * observes the packets). A {@code wire.WireTrace} among them is the
     * connections' trace instead (the command line's {@code --trace}).
     */
    public List<ConnectionObserver> observers = new ArrayList<>();

    /** A snapshot, so that a builder used again does not change what it built. */
    public Options copy() {
        Options o = new Options();
        o.secret = secret.clone();
        o.executor = executor;
        o.maxFrameSize = maxFrameSize;
        o.handshakeTimeout = handshakeTimeout;
        o.retry = retry;
        o.waitForReady = waitForReady;
        o.readyTimeout = readyTimeout;
        o.remoteErrors = remoteErrors;
        o.callTimeout = callTimeout;
        o.socketPermissions = Set.copyOf(socketPermissions);
        o.bufferSize = bufferSize;
        o.maxConcurrentCalls = maxConcurrentCalls;
        o.maxConnections = maxConnections;
        o.maxHandshaking = maxHandshaking;
        o.heartbeatInterval = heartbeatInterval;
        o.heartbeatTimeout = heartbeatTimeout;
        o.tls = tls;
        o.tlsClientAuth = tlsClientAuth;
        o.frameTimeout = frameTimeout;
        o.receiveBudgetBytes = receiveBudgetBytes;
        o.receiveBudget = receiveBudget;
        o.sendBudgetBytes = sendBudgetBytes;
        o.sendBudget = sendBudget;
        o.pythonObjects = pythonObjects;
        o.decimalLimits = decimalLimits;
        o.directDispatch = directDispatch;
        o.callSites = callSites;
        o.outgoingInterceptors = new ArrayList<>(outgoingInterceptors);
        o.incomingInterceptors = new ArrayList<>(incomingInterceptors);
        o.observers = new ArrayList<>(observers);
        return o;
    }

    public void secret(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    public static int atLeastOne(int n, String what) {
        if (n < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + n);
        }
        return n;
    }

    /** {@code d}, if it is positive and at most {@link Durations#MAX_DURATION}; else a clear refusal, at configuration time. */
    public static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
        if (d.compareTo(Durations.MAX_DURATION) > 0) {
            throw new IllegalArgumentException(what + " must be at most " + Durations.MAX_DURATION.toDays()
                    + " days (100 years), got " + d);
        }
        return d;
    }
}
