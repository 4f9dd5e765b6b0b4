package kaa.rpc.internal.exec;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which threads are the library's I/O threads: the event loops make theirs
 * with {@link #factory()}, and any layer can ask {@link #isIoThread()} (the
 * futures refuse a blocking wait there) without knowing about sockets.
 */
public final class IoThreads {

    private IoThreads() {
    }

    /** Makes the event loops' threads: daemons (they never keep a JVM alive), named kaa-rpc-io-N. */
    public static ThreadFactory factory() {
        return new IoThreadFactory();
    }

    /** Whether the calling thread is one of the I/O threads. */
    public static boolean isIoThread() {
        return Thread.currentThread() instanceof IoThread;
    }

    /**
     * Refuses, on an I/O thread, a wait that may need that very thread to end
     * (an answer it would read, an emission it would make, a socket it would
     * close).
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
