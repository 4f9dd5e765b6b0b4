package kaa.rpc.internal.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.concurrent.ScheduledExecutorService;
import kaa.rpc.internal.exec.IoThreads;

/**
 * The I/O threads shared by every server and client of the process: created
 * on first use, daemon threads (they never keep a JVM alive), one per core,
 * on the transport {@link IoBackend} chose.
 */
public final class EventLoops {

    private EventLoops() {
    }

    private static final class Holder {
        static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(
                Math.max(1, Runtime.getRuntime().availableProcessors()), IoThreads.factory(),
                IoBackend.get().ioHandlerFactory());
    }

    public static EventLoopGroup group() {
        return Holder.GROUP;
    }

    /** The shared loops as a plain scheduler, for time-outs (what uses it needs no Netty type). */
    public static ScheduledExecutorService timers() {
        return group();
    }
}
