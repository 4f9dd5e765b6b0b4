package kaa.rpc.internal.intercept;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import kaa.rpc.CallAttributes;
import kaa.rpc.Channel;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.RpcCall;

/**
 * What every view of a call shows, on either side: its command, arguments
 * and headers (this view's), and the call's channel, connection, start and
 * attributes (shared by all its views, in {@link Shared}). Immutable.
 */
public abstract class CallView implements RpcCall {

    /**
     * One step of a chain, which goes on at most once, with a view of its own
     * call: the checks of an interceptor's {@code next.proceed(view)}. The
     * chains' own steps extend it.
     */
    public abstract static class Step {
        private static final VarHandle USED;

        static {
            try {
                USED = MethodHandles.lookup().findVarHandle(Step.class, "used", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Shared call;
        /** 1 once this step went on (by USED: a field, not an AtomicBoolean, as there is one step per interceptor per call). */
        @SuppressWarnings("unused")
        private volatile int used;

        protected Step(Shared call) {
            this.call = call;
        }

        /** Checks that {@code view} may go on now: a view of this step's call, the first time. */
        protected final void goingOn(RpcCall view) {
            if (!(view instanceof CallView v) || v.shared != call) {
                throw new IllegalArgumentException("proceed takes this call or a view made from it");
            }
            if (!USED.compareAndSet(this, 0, 1)) {
                throw new IllegalStateException("call '" + view.command() + "' went on already: proceed at most once");
            }
        }
    }

    /** One call's state, shared by all its views. */
    public static class Shared {
        private final Channel channel;
        private final ConnectionInfo connection;
        private final long startNanos = System.nanoTime();
        /** Made when first asked for: most interceptors keep their state in their own locals. */
        private CallAttributes attributes;

        public Shared(Channel channel, ConnectionInfo connection) {
            this.channel = channel;
            this.connection = connection;
        }
    }

    private final Shared shared;
    private final String command;
    private final Object[] args;
    private final Map<String, ?> kwargs;
    private final Map<String, String> headers;

    protected CallView(Shared shared, String command, Object[] args, Map<String, ?> kwargs,
            Map<String, String> headers) {
        this.shared = shared;
        this.command = command;
        this.args = args;
        this.kwargs = kwargs;
        this.headers = headers;
    }

    /** The call this is a view of. */
    public Shared shared() {
        return shared;
    }

    /** The positional arguments themselves, not copied: for the chain's last step. */
    public Object[] argsArray() {
        return args;
    }

    /** The keyword arguments themselves, not copied: for the chain's last step. */
    public Map<String, ?> kwargsMap() {
        return kwargs;
    }

    @Override
    public String command() {
        return command;
    }

    @Override
    public List<Object> args() {
        return Collections.unmodifiableList(Arrays.asList(args));
    }

    @Override
    public Map<String, Object> kwargs() {
        return Collections.unmodifiableMap(kwargs);
    }

    @Override
    public Map<String, String> headers() {
        return headers;
    }

    @Override
    public Channel channel() {
        return shared.channel;
    }

    @Override
    public ConnectionInfo connection() {
        return shared.connection;
    }

    @Override
    public long startNanos() {
        return shared.startNanos;
    }

    @Override
    public CallAttributes attributes() {
        synchronized (shared) { // the call's monitor guards its attributes' creation (and nothing slow)
            if (shared.attributes == null) {
                shared.attributes = new CallAttributes();
            }
            return shared.attributes;
        }
    }

    /** A copy of {@code args} for a changed view. */
    protected static Object[] copyArgs(Object[] args) {
        return Objects.requireNonNull(args, "args").clone();
    }

    /** A copy of {@code kwargs}, in order, for a changed view; a null name is refused. */
    protected static Map<String, Object> copyKwargs(Map<String, ?> kwargs) {
        Map<String, Object> copy = new LinkedHashMap<>();
        kwargs.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "a keyword argument's name"), v));
        return Collections.unmodifiableMap(copy);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + command + ", " + args.length + " args, " + kwargs.size()
                + " kwargs]";
    }
}
