package kaa.rpc.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.FastThreadLocalThread;
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
    public static boolean isIoThread() {
        return Thread.currentThread() instanceof IoThread;
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
