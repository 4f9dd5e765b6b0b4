package kaa.rpc.internal.dispatch;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import kaa.rpc.Channel;
import kaa.rpc.Expose;
import kaa.rpc.Kw;
import kaa.rpc.internal.convert.ConversionException;
import kaa.rpc.internal.convert.Conversions;
import kaa.rpc.internal.convert.Converters.Converter;
import kaa.rpc.internal.convert.Converters;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.value.Repr;
import kaa.rpc.internal.value.WorkBudget;

/**
 * One {@link Expose}d method, analysed once at registration: its command name,
 * parameter types and names, and a method handle that takes the arguments as
 * an array. A call does no reflective look-up.
 */
public final class ExposedMethod {

    private final String command;
    private final Object target;
    private final Method method;
    private final MethodHandle invoker;
    private final boolean addClient;
    private final Type[] types;      // wire parameters, without the Channel
    /** Each parameter's converter, made once here: a generic one would otherwise be made per call. */
    private final Converter[] converters;
    private final String[] names;    // keyword names; an entry is null when unknown (no -parameters, no @Kw)
    private final boolean[] optional; // may be left out by the caller: @Kw, or an Optional
    private final int required;
    private final boolean varArgs;
    private final boolean direct;
    private final boolean interruptible;

    private ExposedMethod(String command, Object target, Method method, MethodHandle invoker, Expose expose,
            Type[] types, String[] names, boolean[] optional) {
        this.command = command;
        this.target = target;
        this.method = method;
        this.invoker = invoker;
        this.addClient = expose.addClient();
        this.types = types;
        this.converters = new Converter[types.length];
        for (int i = 0; i < types.length; i++) {
            converters[i] = Converters.of(types[i]);
        }
        this.names = names;
        this.optional = optional;
        int r = 0;
        for (boolean o : optional) {
            r += o ? 0 : 1;
        }
        this.required = r;
        this.varArgs = method.isVarArgs();
        this.direct = expose.direct();
        this.interruptible = expose.interruptible();
    }

    /** Whether a cancel of its call interrupts the thread running it ({@link Expose#interruptible()}). */
    boolean isInterruptible() {
        return interruptible;
    }

    /** Whether it runs on the I/O thread that decoded its call ({@link Expose#direct()}). */
    boolean isDirect() {
        return direct;
    }

    /**
     * The exposed methods of {@code target}: the static ones of a {@code Class},
     * or the instance and static ones of any other object.
     */
    public static List<ExposedMethod> scan(Object target) {
        boolean staticOnly = target instanceof Class;
        Class<?> type = staticOnly ? (Class<?>) target : target.getClass();
        Map<String, Method> seen = new LinkedHashMap<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                seen.putIfAbsent(signature(m), m);
            }
        }
        for (Method m : type.getMethods()) { // default methods of interfaces
            seen.putIfAbsent(signature(m), m);
        }
        List<ExposedMethod> out = new ArrayList<>();
        Map<String, ExposedMethod> byArity = new LinkedHashMap<>();
        for (Method m : seen.values()) {
            if (m.isBridge() || staticOnly && !Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            // the method's own @Expose, else that of the interface (or superclass) method it implements,
            // so one interface can describe a service for its callers and its implementers
            Method declared = staticOnly ? (m.isAnnotationPresent(Expose.class) ? m : null) : declaration(type, m);
            if (declared == null) {
                continue;
            }
            ExposedMethod e = of(target, m, declared);
            String key = e.command + "/" + e.arity() + (e.varArgs ? "+" : "");
            ExposedMethod clash = byArity.get(key);
            if (clash == null) {
                byArity.put(key, e);
            } else if (areForms(clash.method, e.method)) {
                byArity.put(key, implementationOf(clash, e));
            } else {
                throw new IllegalArgumentException("cannot register " + type.getName() + ": " + clash.describe()
                        + " and " + e.describe() + " both expose '" + e.command + "' with " + e.arity()
                        + " arguments; same-name methods must differ in their number of arguments (or be one "
                        + "command's blocking and asynchronous forms, with the same parameter types)");
            }
        }
        out.addAll(byArity.values());
        if (out.isEmpty()) {
            throw new IllegalArgumentException(type.getName() + " has no " + (staticOnly ? "static " : "")
                    + "@Expose methods to register");
        }
        return out;
    }

    /**
     * Whether two methods are one command's blocking and asynchronous forms
     * ({@code int run(String)} and {@code CompletableFuture<Integer> runAsync(String)}): the same parameter
     * types, and exactly one of them answers with a {@code CompletionStage}. An interface may declare both,
     * for callers that block and callers that do not; the peer sees one command.
     */
    private static boolean areForms(Method a, Method b) {
        return Arrays.equals(a.getGenericParameterTypes(), b.getGenericParameterTypes())
                && isAsynchronous(a) != isAsynchronous(b);
    }

    private static boolean isAsynchronous(Method m) {
        return CompletionStage.class.isAssignableFrom(m.getReturnType());
    }

    /**
     * Which of two forms answers the peer: the one the class implements rather than takes from an
     * interface's {@code default}; if it implements both, the asynchronous one, which holds no thread
     * while it waits.
     */
    private static ExposedMethod implementationOf(ExposedMethod a, ExposedMethod b) {
        boolean aOwn = !a.method.isDefault();
        boolean bOwn = !b.method.isDefault();
        if (aOwn != bOwn) {
            return aOwn ? a : b;
        }
        return isAsynchronous(a.method) ? a : b;
    }

    /** The method whose {@code @Expose} applies to {@code m}: itself, or one it overrides or implements. */
    private static Method declaration(Class<?> type, Method m) {
        if (m.isAnnotationPresent(Expose.class)) {
            return m;
        }
        if (Modifier.isStatic(m.getModifiers()) || Modifier.isPrivate(m.getModifiers())) {
            return null;
        }
        ArrayDeque<Class<?>> todo = new ArrayDeque<>();
        todo.add(type);
        Set<Class<?>> visited = new HashSet<>();
        while (!todo.isEmpty()) {
            Class<?> c = todo.poll();
            if (!visited.add(c)) {
                continue;
            }
            if (c != m.getDeclaringClass()) {
                try {
                    Method candidate = c.getDeclaredMethod(m.getName(), m.getParameterTypes());
                    if (candidate.isAnnotationPresent(Expose.class) && !Modifier.isStatic(candidate.getModifiers())) {
                        return candidate;
                    }
                } catch (NoSuchMethodException e) {
                    // not declared here
                }
            }
            if (c.getSuperclass() != null) {
                todo.add(c.getSuperclass());
            }
            todo.addAll(Arrays.asList(c.getInterfaces()));
        }
        return null;
    }

    private static ExposedMethod of(Object target, Method m, Method declared) {
        Expose expose = declared.getAnnotation(Expose.class);
        String command = expose.value().isEmpty() ? m.getName() : expose.value();
        Parameter[] params = m.getParameters();
        Parameter[] declaredParams = declared.getParameters();
        int first = expose.addClient() ? 1 : 0;
        if (expose.addClient() && (params.length == 0 || !params[0].getType().isAssignableFrom(Channel.class))) {
            throw new IllegalArgumentException("@Expose(addClient = true) method " + describe(m)
                    + " must take a kaa.rpc.Channel as its first parameter");
        }
        Type[] types = new Type[params.length - first];
        String[] names = new String[params.length - first];
        boolean[] optional = new boolean[params.length - first];
        for (int i = first; i < params.length; i++) {
            types[i - first] = params[i].getParameterizedType();
            Kw kw = params[i].getAnnotation(Kw.class);
            Parameter named = params[i];
            if (kw == null) {
                kw = declaredParams[i].getAnnotation(Kw.class);
                named = declaredParams[i];
            }
            if (kw != null && !kw.value().isEmpty()) {
                names[i - first] = kw.value();
            } else if (named.isNamePresent()) {
                names[i - first] = named.getName();
            } else if (params[i].isNamePresent()) {
                names[i - first] = params[i].getName();
            } else if (kw != null) {
                throw new IllegalArgumentException("cannot expose " + describe(m) + ": parameter " + (i + 1 - first)
                        + " has @Kw without a name, and was compiled without -parameters; write @Kw(\"name\")");
            }
            Class<?> p = params[i].getType();
            optional[i - first] = !p.isPrimitive() && (kw != null || p == Optional.class && i == params.length - 1);
        }
        for (int i = 0; i < types.length; i++) {
            String why = Converters.whyNot(types[i]);
            if (why != null) { // no value could ever bind: every call would be a TypeError
                throw new IllegalArgumentException("cannot expose " + describe(m) + ": parameter " + (i + 1)
                        + parameterName(names[i]) + " of type " + types[i].getTypeName() + " " + why);
            }
        }
        String unreadable = PickleWriter.whyUnreadable(m.getGenericReturnType());
        if (unreadable != null) { // every answer would be a TypeError
            throw new IllegalArgumentException("cannot expose " + describe(m) + ": its result " + unreadable);
        }
        if (!m.trySetAccessible()) {
            throw new IllegalArgumentException("cannot expose " + describe(m) + ": its package is not open to "
                    + "module kaa.rpc; add 'opens " + m.getDeclaringClass().getPackageName()
                    + " to kaa.rpc;' to your module-info.java");
        }
        MethodHandle handle;
        try {
            handle = MethodHandles.lookup().unreflect(m);
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("cannot expose " + describe(m) + ": " + e.getMessage(), e);
        }
        if (!Modifier.isStatic(m.getModifiers())) {
            handle = handle.bindTo(target);
        }
        if (m.isVarArgs()) {
            handle = handle.asFixedArity();
        }
        MethodHandle invoker = handle.asSpreader(Object[].class, params.length)
                .asType(MethodType.methodType(Object.class, Object[].class));
        return new ExposedMethod(command, target, m, invoker, expose, types, names, optional);
    }

    private static String signature(Method m) {
        StringBuilder sb = new StringBuilder(m.getName()).append('(');
        for (Class<?> p : m.getParameterTypes()) {
            sb.append(p.getName()).append(',');
        }
        return sb.append(')').toString();
    }

    public String command() {
        return command;
    }

    Object target() {
        return target;
    }

    /** The number of arguments the peer passes (the Channel of addClient not counted). */
    public int arity() {
        return types.length;
    }

    boolean isVarArgs() {
        return varArgs;
    }

    /** Whether a call with {@code positional} arguments and these keyword names can bind here. */
    boolean accepts(int positional, int keywords) {
        int given = positional + keywords;
        if (given == types.length || given >= required && given < types.length && positional <= types.length) {
            return true;
        }
        return varArgs && keywords == 0 && positional >= types.length - 1;
    }

    /**
     * Converts the wire arguments to the Java arguments of the method.
     *
     * @throws BindingException naming the command, the parameter and the types
     */
    public Object[] bind(Object channel, Object[] args, Map<String, Object> kwargs) throws BindingException {
        return bind(channel, args, kwargs, WorkBudget.unlimited());
    }

    /**
     * Converts the wire arguments of a call whose payload was given {@code work}:
     * the conversion is charged to it, and parts shared between the arguments
     * are converted once.
     *
     * @throws BindingException naming the command, the parameter and the types
     * @throws WorkLimitException when the arguments need more work than their payload allows
     */
    public Object[] bind(Object channel, Object[] args, Map<String, Object> kwargs, WorkBudget work) throws BindingException {
        Conversions.Conversion conversion = null; // made for the first parameter that is not an Object
        int first = addClient ? 1 : 0;
        Object[] out = new Object[types.length + first];
        if (addClient) {
            out[0] = channel;
        }
        Object[] wire = new Object[types.length];
        boolean[] given = new boolean[types.length];
        int fixed = varArgs && kwargs.isEmpty() ? types.length - 1 : types.length;
        for (int i = 0; i < Math.min(args.length, fixed); i++) {
            wire[i] = args[i];
            given[i] = true;
        }
        if (fixed < types.length) {
            // varargs: the rest of the positional arguments, or one list for the array
            Object[] rest = Arrays.copyOfRange(args, Math.min(fixed, args.length), args.length);
            wire[fixed] = rest.length == 1 && (rest[0] instanceof List || rest[0] instanceof Object[]) ? rest[0] : rest;
            given[fixed] = true;
        }
        for (Map.Entry<String, Object> kw : kwargs.entrySet()) {
            int index = indexOf(kw.getKey());
            if (given[index]) {
                throw new BindingException(command + "() got multiple values for argument " + Repr.repr(kw.getKey()));
            }
            wire[index] = kw.getValue();
            given[index] = true;
        }
        for (int i = 0; i < types.length; i++) {
            if (!given[i] && !optional[i]) {
                throw new BindingException(command + "() missing required argument " + (i + 1) + parameterName(i));
            }
            try {
                if (types[i] == Object.class) {
                    out[i + first] = wire[i];
                    continue;
                }
                if (conversion == null) {
                    conversion = Conversions.conversion(work);
                }
                out[i + first] = conversion.convert(wire[i], converters[i]);
            } catch (ConversionException e) {
                throw new BindingException(command + "() argument " + (i + 1) + parameterName(i) + ": " + e.getMessage());
            }
        }
        return out;
    }

    private int indexOf(String keyword) throws BindingException {
        boolean unknown = false;
        for (int i = 0; i < names.length; i++) {
            if (names[i] == null) {
                unknown = true;
            } else if (names[i].equals(keyword)) {
                return i;
            }
        }
        if (unknown) {
            throw new BindingException(command + "() cannot take keyword argument " + Repr.repr(keyword) + ": "
                    + describe() + " was compiled without -parameters, so its parameter names are unknown"
                    + " (or name them with @Kw)");
        }
        throw new BindingException(command + "() got an unexpected keyword argument " + Repr.repr(keyword));
    }

    private String parameterName(int i) {
        return parameterName(names[i]);
    }

    /** How messages name a parameter: {@code " ('name')"}, or nothing when its name is unknown. */
    private static String parameterName(String name) {
        return name == null ? "" : " ('" + name + "')";
    }

    /** Runs the method. Whatever it throws comes out unwrapped. */
    public Object invoke(Object[] javaArgs) throws Throwable {
        return (Object) invoker.invokeExact(javaArgs);
    }

    String describe() {
        return describe(method);
    }

    /** Whether some parameter has no known name (compiled without -parameters, and no @Kw). */
    boolean hasUnnamedParameters() {
        for (String n : names) {
            if (n == null) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Method m) {
        StringBuilder sb = new StringBuilder(Repr.className(m.getDeclaringClass(), false)).append('.')
                .append(m.getName()).append('(');
        Class<?>[] p = m.getParameterTypes();
        for (int i = 0; i < p.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(Repr.javaName(p[i]));
        }
        return sb.append(')').toString();
    }

    /** Arguments that do not fit the method; answered to the caller as a TypeError. */
    public static final class BindingException extends Exception {
        public BindingException(String message) {
            super(message, null, false, false);
        }
    }
}
