package kaa.rpc.cli;

import java.io.PrintWriter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Prints lines handed to it from I/O threads on a thread of its own: a
 * terminal or pipe that reads slowly never stalls a relay. At most
 * {@link #CAPACITY} lines wait; beyond, lines are dropped and counted, and
 * the count printed when there is room again.
 */
final class LinePrinter implements Consumer<String>, AutoCloseable {

    static final int CAPACITY = 10_000;
    private static final String END = new String("end");

    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final PrintWriter out;
    private final Thread thread;

    LinePrinter(PrintWriter out) {
        this.out = out;
        thread = new Thread(this::run, "kaarpc-proxy-output");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void accept(String line) {
        if (!lines.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    private void run() {
        try {
            for (String l = lines.take(); l != END; l = lines.take()) {
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    out.println("kaarpc: " + lost + " trace lines dropped: the output was read too slowly");
                }
                out.println(l);
                if (lines.isEmpty()) {
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long lost = dropped.getAndSet(0); // dropped after the last line printed: said once, at the end
        if (lost > 0) {
            out.println("kaarpc: " + lost + " trace lines dropped: the output was read too slowly");
        }
        out.flush();
    }

    /** Prints what waits (for at most a few seconds), then stops. */
    @Override
    public void close() throws InterruptedException {
        if (!lines.offer(END, 5, TimeUnit.SECONDS)) {
            thread.interrupt();
        }
        thread.join(TimeUnit.SECONDS.toMillis(5));
    }
}
