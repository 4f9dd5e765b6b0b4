package kaa.rpc;

import java.lang.reflect.Type;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import kaa.rpc.internal.Options;
import kaa.rpc.internal.dispatch.CommandTable;
import kaa.rpc.internal.dispatch.CurrentCaller;
import kaa.rpc.internal.exec.CallbackExecutors;
import kaa.rpc.internal.log.PeerLog;
import kaa.rpc.internal.net.Address;
import kaa.rpc.internal.net.EventLoops;
import kaa.rpc.internal.session.Session;
import org.slf4j.LoggerFactory;

/**
 * One end of a kaa.rpc connection. Both ends are channels and both may call:
 * a {@link Client} is a channel, and a {@link Server} hands out a channel for
 * each client that connects ({@link Server#clientConnected()}).
 *
 * <pre>{@code
 * CompletableFuture<Object> x = channel.rpc("do_something", 6);            // do_something(6)
 * channel.rpc("greet", "bob", Kwargs.of("greeting", "hi"));                // greet('bob', greeting='hi')
 * int sum = channel.rpc(Integer.class, "add", 1, 2).get(5, TimeUnit.SECONDS);
 * }</pre>
 *
 * <p>A call returns at once. Its future completes with the answer, or fails
 * with a {@link RemoteException} (the callee threw), a
 * {@link NotConnectedException} (the channel closed before the answer came,
 * or was closed when the call was made), a
 * {@link TimeoutException} (no answer within the call's
 * time-out: {@link #withTimeout}, or the builder's {@code callTimeout}), an
 * {@link IllegalArgumentException} (an argument cannot be sent) or a
 * {@link ClassCastException} (the answer does not convert to the requested
 * type). Cancelling the future forgets the call: its answer, if one comes, is
 * dropped; a Java peer also hears of it (and of a passed deadline), and
 * interrupts or cancels the call. The library never repeats a call. Calls
 * made before a client first opens wait and go out, in order, when it opens;
 * each waits at most the client's {@code readyTimeout} (30 s by default),
 * then fails with a {@link NotConnectedException}, or its own time-out if
 * that comes first, with a {@link TimeoutException}; both say it was never sent.
 * Calls made while a retrying client reconnects fail at once, unless they
 * wait for ready ({@link #waitingForReady}).
 *
 * <p>Threads: the future is completed on an I/O thread, but every dependent
 * action added through its non-async methods ({@code thenApply},
 * {@code whenComplete}, ...) runs on the channel's callback executor, as do
 * exposed methods and signal callbacks; so no user code runs on an I/O
 * thread. Blocking on an unfinished future from an I/O thread is refused
 * with an {@link IllegalStateException}. An exposed method may block on a call
 * to its own caller ({@code peer.rpc(...).get()}): the reader never waits for
 * user code.
 *
 * <p>What travels: Python's None, bool, int, float, str, bytes, tuple, list,
 * dict and set, which arrive as {@code null}, {@code Boolean},
 * {@code Integer}/{@code Long}/{@code BigInteger}, {@code Double},
 * {@code String}, {@code byte[]}, {@code Object[]}, {@code List}, {@code Map}
 * and {@code Set} (a str with a high and a low surrogate that were two code
 * points, which a String would read as one character, as a
 * {@code CharSequence} that goes back as it came). Java sends those, plus
 * other numbers, arrays, collections, enums (as their name), records and
 * beans (as dicts).
 */
public class Channel {

    /**
     * How long a blocking method of a {@linkplain #proxy proxy} waits for its
     * answer when neither the proxy ({@link #withTimeout}) nor the channel
     * ({@code callTimeout}) sets a time-out: 60 seconds.
     */
    public static final Duration BLOCKING_PROXY_TIMEOUT = Duration.ofSeconds(60);

    /**
     * How long a one-way call ({@link #tell}, {@code @Expose(oneWay = true)})
     * waits for the answer it drops, when no time-out is set: 60 seconds. It
     * bounds what a peer that never answers makes us hold.
     */
    public static final Duration ONE_WAY_TIMEOUT = Duration.ofSeconds(60);

    // lines a peer can cause (by failing our one-way calls): counted, at most one a second (PeerLog)
    static final PeerLog ONE_WAY_FAILED = PeerLog.warn(Channel.class, "one-way call failed");
    /** How much of a remote message a one-way failure's log line shows. */
    private static final int LOGGED_MESSAGE = 300;

    private final CommandTable commands;
    private final Duration callTimeout;
    private final boolean waitForReady;
    private final Function<RemoteException, ? extends Exception> remoteErrors;
    private final Signal<Channel> open;
    private final Signal<Throwable> closed;
    final Session session;

    /**
     * @param onOpen, onClose library hooks (not user code), run where the channel opens or closes
     */
    Channel(CommandTable parent, Options options, boolean reconnects, Consumer<Channel> onOpen,
            Consumer<Channel> onClose) {
        this.commands = new CommandTable(parent);
        this.callTimeout = options.callTimeout;
        this.waitForReady = options.waitForReady;
        this.remoteErrors = options.remoteErrors;
        Executor executor = options.executor;
        Executor signals = CallbackExecutors.serial(executor);
        this.open = new Signal<>("open", signals);
        this.closed = new Signal<>("closed", signals);
        this.session = new Session(this, commands, executor, new Session.Listener() {
            @Override
            public void opened() {
                Channel.this.opened();
                if (onOpen != null) {
                    onOpen.accept(Channel.this);
                }
                open.emit(Channel.this);
            }

            @Override
            public void closed(Throwable reason) {
                Channel.this.closed(reason);
                if (onClose != null) {
                    onClose.accept(Channel.this);
                }
                closed.emit(reason);
            }
        }, reconnects, options.maxConcurrentCalls, options.pythonObjects, options.directDispatch,
                options.callSites, options.maxFrameSize, options.decimalLimits, options.readyTimeout,
                EventLoops.timers(), options.outgoingInterceptors, options.incomingInterceptors);
    }

    /** Hook for {@link Client}: the channel opened. Runs on an I/O thread. */
    void opened() {
    }

    /** Hook for {@link Client}: the channel closed or a connection was lost. */
    void closed(Throwable reason) {
    }

    /**
     * Calls {@code command} on the peer. A {@link Kwargs} as the last argument
     * gives keyword arguments. The answer arrives as the value types listed in
     * the class documentation.
     *
     * @param command the name of the peer's command
     * @param args the arguments: positional ones, then optionally a {@code Kwargs}
     * @return the answer, when it comes; the class documentation says how the
     *     future fails
     * @throws IllegalArgumentException if a {@code Kwargs} is not the last argument
     * @throws NullPointerException if {@code command} is null, or {@code args} is a
     *     null array (one None argument is {@code rpc("x", (Object) null)})
     */
    public CompletableFuture<Object> rpc(String command, Object... args) {
        return rpc(Object.class, command, args);
    }

    /**
     * Calls {@code command} and converts the answer to {@code resultType}, by
     * the rules that bind arguments of exposed methods: numbers that fit, lists
     * to arrays, dicts to records and beans, and so on.
     *
     * @param <T> the type of the answer
     * @param resultType the class to convert the answer to
     * @param command the name of the peer's command
     * @param args the arguments, as for {@link #rpc(String, Object...)}
     * @return the converted answer, when it comes; it fails with a
     *     {@link ClassCastException} if the answer does not convert
     * @throws IllegalArgumentException if a {@code Kwargs} is not the last argument
     */
    public <T> CompletableFuture<T> rpc(Class<T> resultType, String command, Object... args) {
        return call(callTimeout, waitForReady, resultType, command, args);
    }

    /**
     * Calls {@code command} and converts the answer to a generic type:
     * {@code rpc(new TypeRef<List<Track>>() {}, "tracks", "x")}.
     *
     * @param <T> the type of the answer
     * @param resultType the generic type to convert the answer to
     * @param command the name of the peer's command
     * @param args the arguments, as for {@link #rpc(String, Object...)}
     * @return the converted answer, when it comes; it fails with a
     *     {@link ClassCastException} if the answer does not convert
     * @throws IllegalArgumentException if a {@code Kwargs} is not the last argument
     */
    public <T> CompletableFuture<T> rpc(TypeRef<T> resultType, String command, Object... args) {
        return call(callTimeout, waitForReady, Objects.requireNonNull(resultType, "resultType").type(), command, args);
    }

    /**
     * Calls {@code command} one way: returns at once, waiting for nothing. The
     * protocol answers every call, so the answer still comes; it is dropped,
     * and a failure (a remote error, a lost connection, a time-out) is logged
     * as a warning, at most one line a second, never thrown. Without a
     * time-out ({@code withTimeout}, {@code callTimeout}) the answer is
     * awaited at most {@link #ONE_WAY_TIMEOUT}. For progress
     * reports, log lines, events: whatever the caller need not hear back.
     * A Python peer needs nothing special: it answers as always.
     *
     * @param command the name of the peer's command
     * @param args the arguments, as for {@link #rpc(String, Object...)}
     * @throws IllegalArgumentException at once, if an argument cannot be sent
     */
    public void tell(String command, Object... args) {
        tell(callTimeout, waitForReady, command, args);
    }

    private void tell(Duration timeout, boolean ready, String command, Object[] args) {
        CompletableFuture<Object> call = call(timeout != null ? timeout : ONE_WAY_TIMEOUT, ready, Object.class,
                command, args);
        oneWay(call, command);
    }

    /** Consumes a one-way call's answer: a failure is logged, an argument that cannot be sent thrown. */
    void oneWay(CompletableFuture<Object> call, String command) {
        if (call.isCompletedExceptionally()) {
            try {
                call.getNow(null);
            } catch (CompletionException e) {
                if (e.getCause() instanceof IllegalArgumentException) {
                    throw (IllegalArgumentException) e.getCause(); // encoding failed: nothing was sent
                }
            }
        }
        call.whenComplete((v, e) -> {
            if (e != null) {
                ONE_WAY_FAILED.log("one-way call '{}' to {} failed: {}", command, this, brief(e));
            }
        });
    }

    /** A failure, short: the remote type and message rather than the whole traceback (PeerLog keeps it one line). */
    private static String brief(Throwable e) {
        String text = e instanceof RemoteException
                ? ((RemoteException) e).remoteType() + ": " + ((RemoteException) e).remoteMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        return text.length() <= LOGGED_MESSAGE ? text : text.substring(0, LOGGED_MESSAGE) + "...";
    }

    /**
     * A Java interface whose methods call the peer's commands:
     *
     * <pre>{@code
     * interface Media {
     *     @Expose("do_something") int doSomething(int foo);             // blocks for the answer
     *     @Expose CompletableFuture<List<Track>> tracks(String album);   // returns at once
     *     @Expose String greet(String name, @Kw("greeting") String g);   // greet(name, greeting=g)
     *     @Expose void stop();                                           // waits, ignores the value
     * }
     * Media media = client.proxy(Media.class);
     * }</pre>
     *
     * <p>Each abstract method must carry {@link Expose}; its name (or the
     * method's) is the command. A method returns the answer converted to its
     * generic result type (blocking until it comes), a
     * {@code CompletableFuture} or {@code CompletionStage} of it (at once), or
     * nothing ({@code void}: it waits, and ignores the value). {@link Kw}
     * parameters go as keyword arguments, and are left out when null.
     * {@code equals}, {@code hashCode}, {@code toString} and {@code default}
     * methods without {@code @Expose} run locally; a {@code default} method
     * that carries it is a command like the others (its body serves
     * implementations of the interface, not the proxy).
     *
     * <p>A blocking method waits at most the proxy's time-out
     * ({@code withTimeout(d).proxy(...)}), else the channel's
     * {@code callTimeout}, else {@link #BLOCKING_PROXY_TIMEOUT}. It throws a
     * {@link RemoteException} for a remote error, an
     * {@link IllegalArgumentException} for an argument that cannot be sent, a
     * {@link ClassCastException} for an answer that does not convert; a
     * {@link NotConnectedException}, {@link TimeoutException}
     * or {@link InterruptedException} when the method declares it (or a
     * supertype), else a {@link CallFailedException} with it as the cause.
     *
     * @param <T> the interface
     * @param type the interface, each of whose abstract methods carries
     *     {@code @Expose}
     * @return a proxy whose methods call the peer on this channel
     * @throws IllegalArgumentException if {@code type} is not an interface, or
     *     naming every method that cannot work: one without {@code @Expose}, a
     *     result type that cannot be converted, a {@code Channel} parameter
     */
    public <T> T proxy(Class<T> type) {
        return ServiceProxy.create(this, null, waitForReady, type);
    }

    /** The channel's time-out for calls, or null. */
    Duration callTimeout() {
        return callTimeout;
    }

    /**
     * This channel, with calls that fail with a {@link TimeoutException}
     * naming the command and the time if no answer comes within {@code timeout}:
     * {@code channel.withTimeout(Duration.ofSeconds(2)).rpc("add", 1, 2)}. A call
     * that timed out may still run, or have run, on the peer; the library never
     * repeats a call.
     *
     * @param timeout how long each call waits for its answer: positive, at most
     *     {@link PeerBuilder#MAX_DURATION}
     * @return calls on this channel with that time-out
     * @throws IllegalArgumentException if {@code timeout} is not positive, or
     *     longer than {@code MAX_DURATION}
     */
    public Calls withTimeout(Duration timeout) {
        return new Calls(Options.positive(timeout, "timeout"), waitForReady);
    }

    /**
     * This channel, with calls that wait for it to be ready: a call made
     * while a retrying {@link Client} reconnects waits for the next open and
     * goes then, instead of failing at once with a
     * {@link NotConnectedException}. It waits at most the client's
     * {@code readyTimeout}, and then fails with a
     * {@code NotConnectedException}; or its own time-out
     * ({@code waitingForReady().withTimeout(d)}, the channel's
     * {@code callTimeout}) if that comes first, and then fails with a
     * {@link TimeoutException}; either says it was never sent. A closed
     * channel fails calls at once, as always.
     * {@code Client.Builder.waitForReady()} makes it every call's way.
     *
     * @return calls on this channel that wait for it to be ready
     */
    public Calls waitingForReady() {
        return new Calls(callTimeout, true);
    }

    /**
     * Calls on this channel with options of their own: a time-out
     * ({@link #withTimeout}), waiting for ready ({@link #waitingForReady}),
     * or both ({@code channel.waitingForReady().withTimeout(d)}).
     */
    public final class Calls {
        private final Duration timeout;
        private final boolean ready;

        private Calls(Duration timeout, boolean ready) {
            this.timeout = timeout;
            this.ready = ready;
        }

        /**
         * {@return these calls, with a time-out; see {@link Channel#withTimeout(Duration)}}
         *
         * @param timeout how long each call waits for its answer
         * @throws IllegalArgumentException if {@code timeout} is not positive, or
         *     longer than {@link PeerBuilder#MAX_DURATION}
         */
        public Calls withTimeout(Duration timeout) {
            return new Calls(Options.positive(timeout, "timeout"), ready);
        }

        /** {@return these calls, waiting for ready; see {@link Channel#waitingForReady()}} */
        public Calls waitingForReady() {
            return new Calls(timeout, true);
        }

        /**
         * As {@link Channel#rpc(String, Object...)}, with these options.
         *
         * @param command the name of the peer's command
         * @param args the arguments
         * @return the answer, when it comes
         */
        public CompletableFuture<Object> rpc(String command, Object... args) {
            return call(timeout, ready, Object.class, command, args);
        }

        /**
         * As {@link Channel#rpc(Class, String, Object...)}, with these options.
         *
         * @param <T> the type of the answer
         * @param resultType the class to convert the answer to
         * @param command the name of the peer's command
         * @param args the arguments
         * @return the converted answer, when it comes
         */
        public <T> CompletableFuture<T> rpc(Class<T> resultType, String command, Object... args) {
            return call(timeout, ready, resultType, command, args);
        }

        /**
         * As {@link Channel#rpc(TypeRef, String, Object...)}, with these options.
         *
         * @param <T> the type of the answer
         * @param resultType the generic type to convert the answer to
         * @param command the name of the peer's command
         * @param args the arguments
         * @return the converted answer, when it comes
         */
        public <T> CompletableFuture<T> rpc(TypeRef<T> resultType, String command, Object... args) {
            return call(timeout, ready, Objects.requireNonNull(resultType, "resultType").type(), command, args);
        }

        /**
         * As {@link Channel#tell(String, Object...)}, with these options.
         *
         * @param command the name of the peer's command
         * @param args the arguments
         */
        public void tell(String command, Object... args) {
            Channel.this.tell(timeout, ready, command, args);
        }

        /**
         * As {@link Channel#proxy(Class)}, every call with these options.
         *
         * @param <T> the interface
         * @param type the interface
         * @return a proxy whose methods call the peer with these options
         */
        public <T> T proxy(Class<T> type) {
            return ServiceProxy.create(Channel.this, timeout, ready, type);
        }
    }

    private <T> CompletableFuture<T> call(Duration timeout, boolean ready, Type resultType, String command,
            Object[] args) {
        Objects.requireNonNull(resultType, "resultType");
        Objects.requireNonNull(command, "command");
        if (args == null) { // rpc("x", (Object[]) null): not "no arguments", which is rpc("x")
            throw new NullPointerException("args is a null array; for one None argument write rpc(\""
                    + command + "\", (Object) null)");
        }
        Object[] positional = args;
        Map<String, Object> kwargs = Map.of();
        if (positional.length > 0 && positional[positional.length - 1] instanceof Kwargs) {
            kwargs = ((Kwargs) positional[positional.length - 1]).asMap();
            positional = Arrays.copyOf(positional, positional.length - 1);
        }
        for (Object a : positional) {
            if (a instanceof Kwargs) {
                throw new IllegalArgumentException("Kwargs must be the last argument of rpc()");
            }
        }
        return session.call(command, positional, kwargs, resultType, timeout, ready);
    }

    /**
     * A call of a proxy: arguments already split into positional and keyword
     * ones; a remote error becomes what {@code failures} makes of it (null: itself).
     */
    <T> CompletableFuture<T> call(Duration timeout, boolean ready, Type resultType, String command,
            Object[] positional, Map<String, Object> kwargs, Function<RemoteException, Throwable> failures) {
        return session.call(command, positional, kwargs, resultType, timeout, ready, failures);
    }

    /** What a proxy method throws for a remote error, as the builder's {@code remoteErrors} maps it, or null. */
    Function<RemoteException, ? extends Exception> remoteErrors() {
        return remoteErrors;
    }

    /**
     * Makes the exposed methods of {@code obj} callable by this channel's peer:
     * the {@link Expose} methods of an object, or the static ones of a
     * {@code Class}. A command registered on the channel hides one of the same
     * name registered on its server.
     *
     * @param obj an object with {@code @Expose} methods, or a {@code Class}
     *     with static ones
     * @return this channel
     * @throws IllegalArgumentException if {@code obj} exposes nothing, or two
     *     of its methods expose the same name with the same number of arguments
     */
    public Channel register(Object obj) {
        commands.register(Objects.requireNonNull(obj, "obj"));
        return this;
    }

    /**
     * The channel whose peer made the call running on this thread: inside an
     * exposed method (on the executor, or on the I/O thread for a
     * {@link Expose#direct() direct} one), the channel through which to call
     * that peer back, so that one service object can serve many clients
     * ({@code Channel.current().rpc("progress", 50)}). Only while the method
     * runs: a method that answers later with a future keeps the channel in a
     * variable for the work it continues elsewhere (or takes it as a
     * parameter, with {@code @Expose(addClient = true)}). Code the method
     * runs inline for others (a future it completes, whose dependents run on
     * its thread) sees this method's caller, not theirs.
     *
     * @return the channel of the peer whose call runs on this thread
     * @throws IllegalStateException outside an exposed method
     */
    public static Channel current() {
        Object caller = CurrentCaller.get();
        if (!(caller instanceof Channel)) {
            throw new IllegalStateException("Channel.current() is only known inside an exposed method, while it runs "
                    + "(on " + Thread.currentThread().getName() + " no call of a peer runs now)");
        }
        return (Channel) caller;
    }

    /**
     * Registers the service {@code factory} makes for this channel's
     * connection, and returns it; a factory that throws or returns null (or
     * whose class fails to load or initialise) closes the channel instead, says
     * why in the log, and gives null. For the per-connection factories of both
     * builders.
     */
    Object registerMade(Supplier<?> factory) {
        try {
            Object service = Objects.requireNonNull(factory.get(), "the per-connection factory returned null");
            register(service);
            return service;
        } catch (RuntimeException | LinkageError e) {
            LoggerFactory.getLogger(Channel.class).warn("closing {}: the service for its connection could not be "
                    + "made: {}", this, e.toString());
            close();
            return null;
        }
    }

    /**
     * Withdraws what {@link #register} made callable.
     *
     * @param obj the object (or class) that was registered
     * @return whether {@code obj} was registered
     */
    public boolean disconnect(Object obj) {
        return commands.unregister(obj);
    }

    /** {@return whether the channel is open: connected and authenticated (kaa's {@code connected})} */
    public boolean isConnected() {
        return session.isOpen();
    }

    /** {@return the peer's address while connected, else null} */
    public SocketAddress remoteAddress() {
        return session.remoteAddress();
    }

    /** {@return the signal emitted with this channel each time it opens (authenticated)} */
    public Signal<Channel> open() {
        return open;
    }

    /**
     * Emitted when the channel closes, with the reason: a
     * {@link NotConnectedException} (closed by either side),
     * {@link AuthenticationException}, {@link HandshakeTimeoutException}, or the
     * I/O error that ended the connection.
     *
     * @return the signal of the channel's closing
     */
    public Signal<Throwable> closed() {
        return closed;
    }

    /**
     * Closes the channel. Calls waiting for an answer fail with a
     * {@link NotConnectedException}; later calls fail at once. Idempotent.
     */
    public void close() {
        session.close(new NotConnectedException("channel closed locally"));
    }

    @Override
    public String toString() {
        SocketAddress a = remoteAddress();
        String peer = a == null ? "" : Address.format(a);
        return getClass().getSimpleName() + "[" + (a == null ? "not connected" : peer.isEmpty() ? "local peer" : peer)
                + "]";
    }
}
