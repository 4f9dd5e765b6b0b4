package kaa.rpc;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import kaa.rpc.internal.convert.Converters;
import kaa.rpc.internal.exec.Durations;
import kaa.rpc.internal.exec.IoThreads;

/**
 * The proxies of {@link Channel#proxy}: an interface analysed once (its
 * commands, result types and keyword parameters), and an invocation handler
 * per proxy that turns each call into {@code rpc}.
 */
final class ServiceProxy implements InvocationHandler {

    /** What a proxy method does, worked out once per interface. */
    private enum Kind { BLOCKING, VOID, ONE_WAY, FUTURE, STAGE }

    private static final class Plan {
        final Method method;
        final String command;
        final Kind kind;
        final Type resultType;
        final String[] keywords; // per parameter: its keyword, or null when positional
        /** The exceptions the method declares that a Java peer's error of the same class becomes. */
        Map<String, DeclaredException> declared;
        /**
         * What a remote error may become: the method's declared exceptions and, for an asynchronous
         * form, those of the blocking form of the same command.
         */
        List<Class<?>> mayThrow;

        Plan(Method method, String command, Kind kind, Type resultType, String[] keywords) {
            this.method = method;
            this.command = command;
            this.kind = kind;
            this.resultType = resultType;
            this.keywords = keywords;
            this.declared = DeclaredException.of(method);
            this.mayThrow = List.of(method.getExceptionTypes());
        }

        boolean isAsynchronous() {
            return kind == Kind.FUTURE || kind == Kind.STAGE;
        }

        /** Whether this is the blocking form of {@code other}, an asynchronous one: one command, one parameter list. */
        boolean isBlockingFormOf(Plan other) {
            return !isAsynchronous() && other.isAsynchronous() && command.equals(other.command)
                    && Arrays.equals(method.getGenericParameterTypes(), other.method.getGenericParameterTypes());
        }
    }

    private static final ClassValue<Map<Method, Plan>> PLANS = new ClassValue<>() {
        @Override
        protected Map<Method, Plan> computeValue(Class<?> type) {
            return analyse(type);
        }
    };

    private final Channel channel;
    private final Duration timeout; // the proxy's own, or null for the channel's
    private final boolean waitForReady;
    private final Class<?> type;
    private final Map<Method, Plan> plans;

    private ServiceProxy(Channel channel, Duration timeout, boolean waitForReady, Class<?> type,
            Map<Method, Plan> plans) {
        this.channel = channel;
        this.timeout = timeout;
        this.waitForReady = waitForReady;
        this.type = type;
        this.plans = plans;
    }

    static <T> T create(Channel channel, Duration timeout, boolean waitForReady, Class<T> type) {
        if (type == null || !type.isInterface() || type.isAnnotation()) {
            throw new IllegalArgumentException("proxy() needs an interface, not "
                    + (type == null ? "null" : type.getName()));
        }
        Map<Method, Plan> plans;
        try {
            plans = PLANS.get(type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage(), e); // this caller's stack, the first message
        }
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                new ServiceProxy(channel, timeout, waitForReady, type, plans)));
    }

    private static Map<Method, Plan> analyse(Class<?> type) {
        Map<Method, Plan> plans = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (Method m : type.getMethods()) {
            Expose expose = m.getAnnotation(Expose.class);
            // a default method runs locally, unless it is marked a command: then its body serves implementers
            // (an asynchronous form that wraps the blocking one, say) and callers call the peer
            if (Modifier.isStatic(m.getModifiers()) || m.isDefault() && expose == null) {
                continue;
            }
            if (expose == null) {
                if (!isObjectMethod(m)) {
                    problems.add(describe(type, m) + " has no @Expose: every abstract method of a proxy interface "
                            + "is a remote command");
                }
                continue;
            }
            if (expose.addClient()) {
                problems.add(describe(type, m) + ": @Expose(addClient = true) is for implementations, not proxies");
                continue;
            }
            String command = expose.value().isEmpty() ? m.getName() : expose.value();
            Kind kind;
            Type result;
            Class<?> raw = m.getReturnType();
            if (expose.oneWay() && raw != void.class) {
                problems.add(describe(type, m) + ": @Expose(oneWay = true) is for void methods (a one-way call "
                        + "has no answer to return)");
                continue;
            }
            if (raw == void.class) {
                kind = expose.oneWay() ? Kind.ONE_WAY : Kind.VOID;
                result = Object.class;
            } else if (raw == CompletableFuture.class || raw == CompletionStage.class) {
                kind = raw == CompletableFuture.class ? Kind.FUTURE : Kind.STAGE;
                Type generic = m.getGenericReturnType();
                result = generic instanceof ParameterizedType
                        ? ((ParameterizedType) generic).getActualTypeArguments()[0] : Object.class;
                if (result == Void.class) {
                    result = Object.class;
                }
            } else {
                kind = Kind.BLOCKING;
                result = m.getGenericReturnType();
            }
            String problem = mentionsTypeVariable(result)
                    ? "uses a type variable; declare the concrete type in the interface"
                    : Converters.whyNot(result);
            if (problem != null) {
                problems.add(describe(type, m) + ": its result type " + result.getTypeName() + " " + problem);
            }
            Parameter[] params = m.getParameters();
            String[] keywords = new String[params.length];
            for (int i = 0; i < params.length; i++) {
                Class<?> p = params[i].getType();
                if (Channel.class.isAssignableFrom(p) || p == Kwargs.class) {
                    problems.add(describe(type, m) + ": parameter " + (i + 1) + " is a " + p.getSimpleName()
                            + ", which cannot be sent");
                }
                Kw kw = params[i].getAnnotation(Kw.class);
                if (kw != null) {
                    if (!kw.value().isEmpty()) {
                        keywords[i] = kw.value();
                    } else if (params[i].isNamePresent()) {
                        keywords[i] = params[i].getName();
                    } else {
                        problems.add(describe(type, m) + ": parameter " + (i + 1) + " has @Kw without a name, and "
                                + type.getSimpleName() + " was compiled without -parameters; write @Kw(\"name\")");
                    }
                } else if (i > 0 && keywords[i - 1] != null) {
                    problems.add(describe(type, m) + ": parameter " + (i + 1) + " is positional after a @Kw one");
                }
            }
            plans.put(m, new Plan(m, command, kind, result, keywords));
        }
        // an asynchronous form fails as its blocking form does: callers pick either
        for (Plan async : plans.values()) {
            for (Plan blocking : plans.values()) {
                if (blocking.isBlockingFormOf(async)) {
                    Map<String, DeclaredException> both = new HashMap<>(blocking.declared);
                    both.putAll(async.declared);
                    async.declared = Map.copyOf(both);
                    List<Class<?>> mayThrow = new ArrayList<>(async.mayThrow);
                    mayThrow.addAll(blocking.mayThrow);
                    async.mayThrow = List.copyOf(mayThrow);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot make a proxy of " + type.getName() + ": "
                    + String.join("; ", problems));
        }
        return plans;
    }

    private static boolean mentionsTypeVariable(Type t) {
        if (t instanceof TypeVariable) {
            return true;
        }
        if (t instanceof ParameterizedType) {
            for (Type a : ((ParameterizedType) t).getActualTypeArguments()) {
                if (mentionsTypeVariable(a)) {
                    return true;
                }
            }
        }
        if (t instanceof GenericArrayType) {
            return mentionsTypeVariable(((GenericArrayType) t).getGenericComponentType());
        }
        if (t instanceof WildcardType) {
            for (Type b : ((WildcardType) t).getUpperBounds()) {
                if (mentionsTypeVariable(b)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isObjectMethod(Method m) {
        try {
            Object.class.getMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static String describe(Class<?> type, Method m) {
        return type.getSimpleName() + "." + m.getName() + "()";
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Plan plan = plans.get(method);
        if (plan == null) {
            if (method.isDefault()) { // one without @Expose
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            switch (method.getName()) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return type.getSimpleName() + " proxy on " + channel;
                default:
                    throw new UnsupportedOperationException(method.toString());
            }
        }
        Object[] positional = args == null ? new Object[0] : args;
        Map<String, Object> kwargs = Map.of();
        int fixed = positional.length;
        for (int i = 0; i < positional.length; i++) {
            if (plan.keywords[i] != null) {
                fixed = Math.min(fixed, i);
                if (positional[i] != null) { // a null keyword is left out: the callee's default applies
                    if (kwargs.isEmpty()) {
                        kwargs = new LinkedHashMap<>();
                    }
                    kwargs.put(plan.keywords[i], positional[i]);
                }
            }
        }
        if (fixed < positional.length) {
            positional = Arrays.copyOf(positional, fixed);
        }
        if (plan.kind == Kind.ONE_WAY) {
            Duration bound = timeout != null ? timeout : channel.callTimeout();
            channel.oneWay(channel.call(bound != null ? bound : Channel.ONE_WAY_TIMEOUT, waitForReady, Object.class,
                    plan.command, positional, kwargs, null), plan.command);
            return null;
        }
        boolean waits = plan.kind == Kind.BLOCKING || plan.kind == Kind.VOID;
        if (waits) {
            // refused before it is sent: once sent, it would run on the peer with nobody to hear the answer
            IoThreads.refuseBlocking("the blocking proxy call " + describe(type, method)
                    + " (declare it to return a CompletableFuture to call it here)");
        }
        Duration deadline = timeout != null ? timeout : channel.callTimeout();
        if (deadline == null && waits) {
            deadline = Channel.BLOCKING_PROXY_TIMEOUT; // a blocking method never waits for ever
        }
        Function<RemoteException, ? extends Exception> hook = channel.remoteErrors();
        // an asynchronous form's remote error is mapped as it arrives, off the I/O thread; a blocking one's by
        // its caller, whose stack it then shows (made per call only when there is something to map)
        Function<RemoteException, Throwable> failures = !plan.isAsynchronous() || plan.declared.isEmpty() && hook == null
                ? null : remote -> mapped(plan, remote, hook, false);
        CompletableFuture<Object> call = channel.call(deadline, waitForReady, plan.resultType, plan.command,
                positional, kwargs, failures);
        if (!waits) {
            return call;
        }
        try {
            // the call's own timer settles it at the deadline; the margin only guards against a lost timer
            Object value = call.get(saturatedMillis(deadline) + 5_000, TimeUnit.MILLISECONDS);
            return plan.kind == Kind.VOID ? null : value;
        } catch (ExecutionException e) {
            throw failure(plan, e.getCause(), hook);
        } catch (TimeoutException e) {
            call.cancel(false);
            throw failure(plan, new TimeoutException("call '" + plan.command + "' got no answer in time"), hook);
        } catch (InterruptedException e) {
            call.cancel(false);
            throw failure(plan, e, hook);
        }
    }

    /** {@code d} in milliseconds, at most a century's worth (a time-out of {@code withTimeout} may be longer). */
    private static long saturatedMillis(Duration d) {
        Duration max = Durations.MAX_DURATION;
        return (d.compareTo(max) > 0 ? max : d).toMillis();
    }

    /**
     * What a blocking proxy method throws for a failed call, on its caller's
     * thread: a remote error as the method may throw it; else the cause if it
     * is unchecked or declared, else a wrapper.
     */
    private static Throwable failure(Plan plan, Throwable cause, Function<RemoteException, ? extends Exception> hook) {
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RemoteException) {
            return mapped(plan, (RemoteException) cause, hook, true);
        }
        if (cause instanceof RuntimeException || cause instanceof Error || mayThrow(plan, cause)) {
            return cause;
        }
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new CallFailedException("call '" + plan.command + "' failed: " + cause.getMessage(), cause);
    }

    /**
     * The remote error as the method may throw it: what the builder's hook
     * makes of it, if the method may throw that; else, for a Java peer's
     * exception of a class the method declares by name, an instance of that
     * class; else the remote error itself. User code (the hook, the declared
     * class's constructor): run by a blocking method's caller (whose frames
     * {@code callersStack} adds to the made exception's), or for an
     * asynchronous one on the executor; never on the I/O thread.
     */
    private static Throwable mapped(Plan plan, RemoteException remote,
            Function<RemoteException, ? extends Exception> hook, boolean callersStack) {
        if (hook != null) {
            Exception e;
            try {
                e = hook.apply(remote);
            } catch (RuntimeException thrown) {
                if (thrown != remote) {
                    thrown.addSuppressed(remote);
                }
                return thrown; // the hook's own (or the remote error it rethrew), shown rather than hidden
            }
            if (e != null && (e instanceof RuntimeException || mayThrow(plan, e))) {
                return e;
            }
        }
        DeclaredException declared = plan.declared.get(remote.remoteType());
        Throwable made = declared == null ? null : declared.make(remote, callersStack);
        return made != null ? made : remote;
    }

    private static boolean mayThrow(Plan plan, Throwable t) {
        for (Class<?> declared : plan.mayThrow) {
            if (declared.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
