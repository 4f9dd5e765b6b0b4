package kaa.rpc;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import kaa.rpc.internal.Repr;

/** The service of the captured sessions, in Java: what the interoperability tests call. */
public class DemoService {

    @Expose
    public Object echo(Object x) {
        return x;
    }

    /** Python's {@code a + b} for numbers, strings and lists. */
    @Expose
    public Object add(Object a, Object b) {
        if (a instanceof String && b instanceof String) {
            return (String) a + b;
        }
        if (a instanceof List && b instanceof List) {
            List<Object> out = new ArrayList<>((List<?>) a);
            out.addAll((List<?>) b);
            return out;
        }
        if (a instanceof Double || b instanceof Double) {
            return ((Number) a).doubleValue() + ((Number) b).doubleValue();
        }
        if (a instanceof Number && b instanceof Number) { // never through text, which is quadratic in the digits
            return (a instanceof BigInteger ? (BigInteger) a : BigInteger.valueOf(((Number) a).longValue()))
                    .add(b instanceof BigInteger ? (BigInteger) b : BigInteger.valueOf(((Number) b).longValue()));
        }
        // as Python words it, with Python's type names (never a Java array's identity)
        throw new ClassCastException("unsupported operand type(s) for +: '"
                + Repr.pythonType(a) + "' and '" + Repr.pythonType(b) + "'");
    }

    @Expose
    public String greet(String name) {
        return greet(name, "hello");
    }

    @Expose
    public String greet(String name, String greeting) {
        return greeting + " " + name;
    }

    @Expose
    public void fail(String msg) {
        throw new IllegalArgumentException(msg);
    }

    /** Answers {@code value} after {@code seconds}, holding no thread meanwhile. */
    @Expose
    public CompletionStage<Object> slow(double seconds, Object value) {
        return CompletableFuture.supplyAsync(() -> value,
                CompletableFuture.delayedExecutor((long) (seconds * 1000), TimeUnit.MILLISECONDS));
    }

    @Expose(addClient = true)
    public String whoami(Channel peer) {
        return peer instanceof Client ? "client" : "server";
    }

    @Expose(addClient = true)
    public CompletionStage<List<Object>> callback(Channel peer, String cmd, Object arg) {
        return peer.rpc(cmd, arg).thenApply(result -> List.of("callback", result));
    }

    @Expose
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
