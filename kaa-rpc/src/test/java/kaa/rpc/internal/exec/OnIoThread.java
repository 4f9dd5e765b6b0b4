package kaa.rpc.internal.exec;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs test code on one of the library's I/O threads, with a queue standing in for its event loop. */
public final class OnIoThread {

    private OnIoThread() {
    }

    /**
     * Runs {@code body} on a new I/O thread, then the tasks it queued on
     * {@code loop} (as the event loop runs its tasks after a read), and
     * returns once they are done; anything they throw is thrown here.
     */
    public static void run(Consumer<ArrayDeque<Runnable>> body) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = IoThreads.factory().newThread(() -> {
            try {
                ArrayDeque<Runnable> loop = new ArrayDeque<>();
                body.accept(loop);
                for (Runnable r = loop.poll(); r != null; r = loop.poll()) {
                    r.run();
                }
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        t.start();
        done.get(60, TimeUnit.SECONDS);
    }
}
