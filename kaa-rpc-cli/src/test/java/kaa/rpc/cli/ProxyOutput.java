package kaa.rpc.cli;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import kaa.rpc.internal.net.Address;

/** A tracing proxy started in process, and its output line by line as it comes, for the proxy's tests. */
final class ProxyOutput {

    static final long WAIT_SECONDS = 10;

    /** The lines printed so far and not yet awaited. */
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    /** A proxy on an ephemeral local port to {@code target}, printing here. */
    TraceProxy proxy(String target, TraceProxy.Settings settings) throws Exception {
        return new TraceProxy(Address.parse("127.0.0.1:0", true), Address.parse(target), settings, lines::add);
    }

    /** The next line that passes {@code test} (those before it are taken too), waiting at most {@link #WAIT_SECONDS}. */
    String await(Predicate<String> test) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (String l = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS); l != null;
                l = lines.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            if (test.test(l)) {
                return l;
            }
        }
        throw new AssertionError("no such line within " + WAIT_SECONDS + " s");
    }
}
