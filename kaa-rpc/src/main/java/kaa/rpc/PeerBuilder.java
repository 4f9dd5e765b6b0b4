package kaa.rpc;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.BiPredicate;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import kaa.rpc.internal.Options;
import kaa.rpc.internal.exec.Durations;
import kaa.rpc.internal.pickle.DecimalLimits;
import kaa.rpc.internal.pickle.SendPolicy;

/**
 * The options a {@link Server.Builder} and a {@link Client.Builder} share.
 * Every option has a default; docs/SECURITY.md lists them all.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class PeerBuilder<B extends PeerBuilder<B>> {

    /**
     * The longest any duration option may be: 100 years. A longer one (which
     * would overflow a count of nanoseconds) is refused with an
     * {@link IllegalArgumentException} by the option's setter.
     */
    public static final Duration MAX_DURATION = Durations.MAX_DURATION;

    final Options options = new Options();

    PeerBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * The shared secret (default empty).
     *
     * @param secret the secret both sides must have (as its UTF-8 bytes)
     * @return this builder
     */
    public B secret(String secret) {
        options.secret(Objects.requireNonNull(secret, "secret"));
        return self();
    }

    /**
     * How long connecting (for a client) and the handshake may take (default 10 s).
     *
     * @param timeout positive, at most {@link #MAX_DURATION}
     * @return this builder
     */
    public B handshakeTimeout(Duration timeout) {
        options.handshakeTimeout = Options.positive(timeout, "handshakeTimeout");
        return self();
    }

    /**
     * A time-out for every call made on the channels (default: none). A call
     * without an answer by then fails with a
     * {@link TimeoutException}; it may still have run on
     * the peer. One call can have its own: {@link Channel#withTimeout}.
     *
     * @param timeout positive, at most {@link #MAX_DURATION}
     * @return this builder
     */
    public B callTimeout(Duration timeout) {
        options.callTimeout = Options.positive(timeout, "callTimeout");
        return self();
    }

    /**
     * How a {@linkplain Channel#proxy proxy} method turns a remote error into
     * an exception it declares: {@code hook} gets the {@link RemoteException}
     * and returns the exception to throw, or null for the library's rule
     * (a Java peer's exception of a class the method declares is thrown as
     * that class; anything else as the {@code RemoteException}). What it
     * returns is thrown only if it is unchecked or the method declares it.
     * For Python peers, whose errors have Python names:
     * <pre>{@code
     * .remoteErrors(e -> e.remoteType().equals("jobs.JobFailed")
     *         ? new JobFailedException(e.remoteMessage(), e) : null)
     * }</pre>
     * It runs on a blocking proxy method's caller, and for an asynchronous
     * form on the executor, never on an I/O thread; it should be quick. One that throws has its exception thrown, with the
     * remote error suppressed in it. It applies to a method's asynchronous
     * form too, whose future then fails with what it returns.
     *
     * @param hook given the remote error, the exception to throw, or null
     * @return this builder
     */
    public B remoteErrors(Function<RemoteException, ? extends Exception> hook) {
        options.remoteErrors = Objects.requireNonNull(hook, "hook");
        return self();
    }

    /**
     * The largest frame accepted from the peer after the handshake, in bytes (default 64 MiB).
     *
     * @param bytes from 1 to {@code Integer.MAX_VALUE}
     * @return this builder
     */
    public B maxFrameSize(long bytes) {
        if (bytes < 1 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxFrameSize must be between 1 and " + Integer.MAX_VALUE);
        }
        options.maxFrameSize = bytes;
        return self();
    }

    /**
     * How long one frame may take to arrive, from its first byte to its last
     * (default 30 s). A peer that sends part of a frame and then stalls or
     * trickles is cut off when it passes, and the memory its frame held is
     * freed. Time this side spends not reading (its limits reached) does not
     * count. Raise it for large frames over slow links: the default asks a
     * 64 MiB frame to arrive at 2.2 MB/s or faster.
     *
     * @param timeout positive, at most {@link #MAX_DURATION}
     * @return this builder
     */
    public B frameTimeout(Duration timeout) {
        options.frameTimeout = Options.positive(timeout, "frameTimeout");
        return self();
    }

    /**
     * Memory for what peers leave unread, in bytes (default 256 MiB, or a
     * quarter of the JVM's direct memory if that is less, but at least
     * 16 MiB). A server's
     * connections share one such budget, and clients share one per process
     * unless given their own. A connection stops reading its peer's calls
     * once 16 MiB wait unsent for it, but calls already running still
     * answer; once what all connections hold unsent would pass this budget,
     * the connection whose unsent bytes have waited longest without any
     * leaving (of those alike, the one holding the most) is closed, and a
     * call on it refused. Peers that read what we send make progress, and are
     * never held up by those that do not.
     *
     * @param bytes at least 1
     * @return this builder
     */
    public B sendBudget(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("sendBudget must be at least 1 byte, got " + bytes);
        }
        options.sendBudgetBytes = bytes;
        return self();
    }

    /**
     * Memory for large frames (over 64 KiB) being received at once, in bytes
     * (default 256 MiB, or half the JVM's direct memory if that is less, but
     * at least 16 MiB). A server's connections share one such budget, and
     * clients share one per process unless given their own. A large frame
     * reserves its whole size when its header arrives; when the budget is
     * spent, its connection is not read until there is room (first come,
     * first served), while every other connection goes on being served. A
     * frame larger than the budget is received when it can have the budget
     * alone. Keep it well below the JVM's limit on direct memory
     * ({@code -XX:MaxDirectMemorySize}, by default the maximum heap size).
     *
     * @param bytes at least 1
     * @return this builder
     */
    public B receiveBudget(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("receiveBudget must be at least 1 byte, got " + bytes);
        }
        options.receiveBudgetBytes = bytes;
        return self();
    }

    /**
     * Lets the channels send on Python objects that a peer sent: instances of
     * classes this library does not map (a {@code namedtuple}, a user class),
     * which arrive as inert data and are sent back, say by an {@code echo}, as
     * a call of their class. By default only builtin exceptions and the value
     * types of {@code datetime} go; another such object in a result or an
     * argument is refused with a clear error.
     *
     * <p><b>The risk:</b> unpickling an object calls its class, whatever it is.
     * A server that stores what one client sent and returns it to another
     * hands the first client's choice of code ({@code posix.system('...')})
     * to the second to run. Allow only classes you know, by module and name:
     * {@code sendPythonObjects((module, name) -> module.equals("myapp.model"))}.
     *
     * @param allowed given a class's module and name, whether its objects may
     *     be sent on
     * @return this builder
     */
    public B sendPythonObjects(BiPredicate<String, String> allowed) {
        options.pythonObjects = SendPolicy.allowing(Objects.requireNonNull(allowed, "allowed"));
        return self();
    }

    /**
     * What a {@code decimal.Decimal} a peer sends may be (default: 5,000
     * digits, an exponent within ±5,000): at most {@code maxDigits} digits as
     * written, and an exponent (Python's, the negated scale of the
     * {@code BigDecimal}) within {@code ±maxExponent}. A payload holding a
     * Decimal beyond either is refused with an error naming the limit. Keep
     * them small: {@code BigDecimal} arithmetic aligns exponents by
     * multiplying by a power of ten, so {@code Decimal('1e30000000')}, a
     * 76-byte call, would make an ordinary {@code a.add(b)} take a minute.
     * Whatever the limits, a payload also pays for its Decimals' exponents
     * from its work allowance (a step per 16 digits; see docs/SECURITY.md),
     * so that many large ones in one call are refused too.
     *
     * @param maxDigits the most digits, at least 1
     * @param maxExponent the largest exponent either way, at least 0
     * @return this builder
     */
    public B decimalLimits(int maxDigits, int maxExponent) {
        options.decimalLimits = new DecimalLimits(maxDigits, maxExponent);
        return self();
    }

    /**
     * Runs every exposed method of this channel (or server) on the I/O thread
     * that decoded its call, as {@link Expose#direct()} does for one method:
     * for services whose methods never block. Off by default.
     *
     * @return this builder
     */
    public B directDispatch() {
        options.directDispatch = true;
        return self();
    }

    /**
     * Records where each call is made (the caller's stack), so that a
     * {@link RemoteException} shows it, as a suppressed exception "call 'x'
     * was made here". For debugging: it costs a stack capture per call. Off
     * by default, when it costs nothing.
     *
     * @return this builder
     */
    public B callSites() {
        options.callSites = true;
        return self();
    }

    /**
     * Adds an interceptor around every call this side makes; see
     * {@link OutgoingInterceptor} for the contract. The first added is the
     * outermost: it runs first, and sees the completion last.
     *
     * @param interceptor the interceptor
     * @return this builder
     */
    public B interceptOutgoing(OutgoingInterceptor interceptor) {
        options.outgoingInterceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
        return self();
    }

    /**
     * Adds an interceptor around every call the peer makes of this side; see
     * {@link IncomingInterceptor} for the contract. The first added is the
     * outermost: it runs first, and sees the completion last.
     *
     * @param interceptor the interceptor
     * @return this builder
     */
    public B interceptIncoming(IncomingInterceptor interceptor) {
        options.incomingInterceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
        return self();
    }

    /**
     * How many calls of one peer may run at once (default 1024); beyond that
     * the channel stops reading from its socket until some finish, so a flood
     * of calls slows the flooder.
     *
     * @param calls at least 1
     * @return this builder
     */
    public B maxConcurrentCalls(int calls) {
        options.maxConcurrentCalls = Options.atLeastOne(calls, "maxConcurrentCalls");
        return self();
    }

    /**
     * Probes a channel that has been silent for {@code interval} with a call
     * of a command no peer has (any kaa.rpc peer, Python included, answers it
     * at once with an error); if no answer comes within {@code timeout}, the
     * channel is closed with the reason "peer unresponsive" and its calls
     * fail. A frozen peer is so detected within interval + timeout. The
     * probe travels with the calls: a peer running as many calls of ours as
     * its {@code maxConcurrentCalls} allows reads nothing more until one
     * ends, and so looks frozen; choose a timeout longer than such calls take,
     * or keep fewer of them outstanding. Off by default; TCP keep-alive is
     * always on.
     *
     * @param interval the silence after which a probe goes: positive, at most
     *     {@link #MAX_DURATION}
     * @param timeout how long the probe may go unanswered: positive, at most
     *     {@code MAX_DURATION}
     * @return this builder
     */
    public B heartbeat(Duration interval, Duration timeout) {
        options.heartbeatInterval = Options.positive(interval, "heartbeat interval");
        options.heartbeatTimeout = Options.positive(timeout, "heartbeat timeout");
        return self();
    }

    /**
     * Speaks the kaa protocol inside TLS with this context's key and trust
     * material. A client checks the server's certificate against the host it
     * connects to. Python kaa peers speak plain TCP, which stays the default;
     * the shared-secret handshake still runs inside TLS.
     *
     * @param context the key and trust material
     * @return this builder
     */
    public B tls(SSLContext context) {
        options.tls = Objects.requireNonNull(context, "context");
        return self();
    }

    /**
     * Socket send and receive buffer size in bytes (kaa's {@code buffer_size}; default: the system's).
     *
     * @param bytes at least 1
     * @return this builder
     */
    public B bufferSize(int bytes) {
        options.bufferSize = Options.atLeastOne(bytes, "bufferSize");
        return self();
    }

    /**
     * Where exposed methods, dependents of call futures and signal callbacks
     * run (default: a virtual thread per task on Java 21+, else a shared pool).
     *
     * @param executor the executor to run them on
     * @return this builder
     */
    public B executor(Executor executor) {
        options.executor = Objects.requireNonNull(executor, "executor");
        return self();
    }

    /**
     * Adds an observer of this peer's connections (none by default): their
     * opening and end, failed handshakes, refusals, and each packet's type and
     * size. Observers are called in the order added, on the connection's I/O
     * thread; see {@link ConnectionObserver}.
     *
     * @param observer told of every connection of what this builder builds
     * @return this builder
     */
    public B observer(ConnectionObserver observer) {
        options.observers.add(Objects.requireNonNull(observer, "observer"));
        return self();
    }
}
