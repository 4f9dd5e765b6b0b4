package kaa.rpc.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The I/O threads shared by every server and client of the process: created
 * on first use, daemon threads (they never keep a JVM alive), one per core,
 * on the transport {@link IoTransport} chose.
 */
public final class EventLoops {

    private EventLoops() {
    }

    private static final class Holder {
        static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(
                Math.max(1, Runtime.getRuntime().availableProcessors()), new IoThreadFactory(),
                IoTransport.get().ioHandlerFactory());
    }

    public static EventLoopGroup group() {
        return Holder.GROUP;
    }

    /** Whether the calling thread is one of these I/O threads. */
    /** The shared loops as a plain scheduler, for time-outs (what uses it needs no Netty type). */
    public static ScheduledExecutorService timers() {
        return group();
    }

    public static boolean isIoThread() {
        return Thread.currentThread() instanceof IoThread;
    }

    /**
     * Refuses, on an I/O thread, a wait that may need that very thread to end
     * (an answer it would read, an emission it would make, a socket it would
     * bind or close): it would wait for ever. {@code what} names the wait.
     */
    public static void refuseBlocking(String what) {
        if (isIoThread()) {
            throw new IllegalStateException(what + " on a kaa-rpc I/O thread (" + Thread.currentThread().getName()
                    + ") would deadlock: what it waits for may need this very thread; chain a future "
                    + "(thenAccept, whenComplete, ...) instead, or do it from another thread");
        }
    }

    private static final class IoThread extends FastThreadLocalThread {
        IoThread(Runnable r, String name) {
            super(r, name);
            setDaemon(true);
        }
    }

    private static final class IoThreadFactory implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            return new IoThread(r, "kaa-rpc-io-" + count.incrementAndGet());
        }
    }
}
