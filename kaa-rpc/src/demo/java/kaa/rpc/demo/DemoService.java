package kaa.rpc.demo;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import kaa.rpc.Channel;
import kaa.rpc.Client;
import kaa.rpc.Expose;
import kaa.rpc.internal.value.Repr;

/**
 * The demo service of {@code kaarpc demo} and {@code kaarpc serve}, and of the
 * library's interoperability tests (one source, compiled into both): the
 * functions of the captured reference sessions, so that any kaa.rpc peer,
 * Java or Python, can exercise every feature against it. The functions that
 * never block run on the I/O thread that reads their call ({@code direct}),
 * the fastest setting; {@code fail}, {@code slow} and {@code callback} go to
 * the executor.
 */
public class DemoService {

    /** The demo service; register it on a server or a client. */
    public DemoService() {
    }

    /**
     * Answers what it is given.
     *
     * @param x any value
     * @return {@code x}, as it came
     */
    @Expose(direct = true)
    public Object echo(Object x) {
        return x;
    }

    /**
     * Python's {@code a + b} for numbers, strings and lists.
     *
     * @param a a number, string or list
     * @param b one of the same kind
     * @return the sum, or the two joined
     * @throws ClassCastException for operands Python would not add, worded as Python's
     *     {@code TypeError}
     */
    @Expose(direct = true)
    public Object add(Object a, Object b) {
        if (a instanceof String && b instanceof String) {
            return (String) a + b;
        }
        if (a instanceof List && b instanceof List) {
            List<Object> out = new ArrayList<>((List<?>) a);
            out.addAll((List<?>) b);
            return out;
        }
        if (a instanceof Number && b instanceof Number && !(a instanceof BigDecimal && b instanceof Double)
                && !(a instanceof Double && b instanceof BigDecimal)) { // Python adds no Decimal to a float
            // arithmetic, never text: a peer's int of a million digits costs its size, not its digits squared
            if (a instanceof Double || b instanceof Double) {
                return ((Number) a).doubleValue() + ((Number) b).doubleValue();
            }
            if (a instanceof BigDecimal || b instanceof BigDecimal) {
                return decimal((Number) a).add(decimal((Number) b));
            }
            return integer((Number) a).add(integer((Number) b));
        }
        // as Python words it, with Python's type names (never a Java array's identity)
        throw new ClassCastException("unsupported operand type(s) for +: '" + Repr.pythonType(a) + "' and '"
                + Repr.pythonType(b) + "'");
    }

    private static BigInteger integer(Number n) {
        return n instanceof BigInteger ? (BigInteger) n : BigInteger.valueOf(n.longValue());
    }

    private static BigDecimal decimal(Number n) {
        return n instanceof BigDecimal ? (BigDecimal) n : new BigDecimal(integer(n));
    }

    /**
     * Greets {@code name} with "hello".
     *
     * @param name who to greet
     * @return {@code "hello " + name}
     */
    @Expose(direct = true)
    public String greet(String name) {
        return greet(name, "hello");
    }

    /**
     * Greets {@code name} with {@code greeting}.
     *
     * @param name who to greet
     * @param greeting the word to greet with
     * @return {@code greeting + " " + name}
     */
    @Expose(direct = true)
    public String greet(String name, String greeting) {
        return greeting + " " + name;
    }

    /**
     * Fails: the caller gets a remote error.
     *
     * @param msg the error's message
     * @throws IllegalArgumentException always, with {@code msg}
     */
    @Expose
    public void fail(String msg) {
        throw new IllegalArgumentException(msg);
    }

    /** The longest wait of {@link #slow}: it holds its value until it answers. */
    public static final double MAX_SLOW_SECONDS = 60;

    /** One daemon thread times every slow() answer; a timer cancelled is dropped at once, and its value with it. */
    static final ScheduledThreadPoolExecutor TIMERS;

    static {
        TIMERS = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "demo-slow-timer");
            t.setDaemon(true);
            return t;
        });
        TIMERS.setRemoveOnCancelPolicy(true);
    }

    /**
     * Answers {@code value} after {@code seconds} (at most a minute), holding
     * no thread meanwhile. The future is made for the call, so a cancel (the
     * caller's, or its connection's loss) may stop it: its timer and value
     * are let go at once.
     *
     * @param seconds how long to wait, from 0 to {@link #MAX_SLOW_SECONDS}
     * @param value the answer
     * @return a stage that completes with {@code value} after {@code seconds}
     * @throws IllegalArgumentException if {@code seconds} is out of range (or NaN)
     */
    @Expose(interruptible = true)
    public CompletionStage<Object> slow(double seconds, Object value) {
        if (!(seconds >= 0 && seconds <= MAX_SLOW_SECONDS)) { // NaN and infinities fail too
            throw new IllegalArgumentException("slow() waits 0 to " + (int) MAX_SLOW_SECONDS + " seconds, not "
                    + seconds);
        }
        CompletableFuture<Object> answer = new CompletableFuture<>();
        ScheduledFuture<?> timer = TIMERS.schedule(() -> answer.complete(value),
                (long) (seconds * 1_000_000), TimeUnit.MICROSECONDS);
        answer.whenComplete((v, e) -> timer.cancel(false));
        return answer;
    }

    /**
     * Says which side serves this call.
     *
     * @param peer the caller's channel
     * @return {@code "client"} when this service runs in a client (the caller
     *     is its server), else {@code "server"}
     */
    @Expose(addClient = true, direct = true)
    public String whoami(Channel peer) {
        return peer instanceof Client ? "client" : "server";
    }

    /**
     * Calls the caller back: {@code cmd(arg)} on the caller's side.
     *
     * @param peer the caller's channel
     * @param cmd the caller's command to call
     * @param arg its argument
     * @return a stage that completes with {@code ["callback", result]} once the
     *     caller has answered
     */
    @Expose(addClient = true)
    public CompletionStage<List<Object>> callback(Channel peer, String cmd, Object arg) {
        return peer.rpc(cmd, arg).thenApply(result -> Arrays.asList("callback", result));
    }

    /**
     * {@return one value of each type that travels, in this order: None, bool,
     * int, an int beyond 32 bits, one beyond 64, float, str, bytes, tuple,
     * list, dict and set}
     */
    @Expose(direct = true)
    public List<Object> types() {
        Map<String, String> dict = new LinkedHashMap<>();
        dict.put("k", "v");
        Set<Integer> set = new LinkedHashSet<>(List.of(1));
        List<Object> out = new ArrayList<>();
        out.add(null);
        out.add(true);
        out.add(1);
        out.add(1L << 40);
        out.add(BigInteger.TWO.pow(70));
        out.add(1.5);
        out.add("unicode \u00e9");
        out.add(new byte[] {'b', 'y', 't', 'e', 's', 0, (byte) 0xff});
        out.add(new Object[] {1, 2});
        out.add(List.of(3));
        out.add(dict);
        out.add(set);
        return out;
    }
}
