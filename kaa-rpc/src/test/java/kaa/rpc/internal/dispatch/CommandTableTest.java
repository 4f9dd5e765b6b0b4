package kaa.rpc.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import kaa.rpc.Expose;
import org.junit.jupiter.api.Test;

/** Registering again replaces a service's commands in one step: no call in between finds none. */
class CommandTableTest {

    public static final class Media {
        @Expose
        public String play() {
            return "playing";
        }

        @Expose("stop")
        public String halt() {
            return "stopped";
        }
    }

    @Test
    void aServiceRegisteredAgainIsNeverMissing() throws Exception {
        CommandTable commands = new CommandTable(null);
        Media media = new Media();
        commands.register(media);
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger missing = new AtomicInteger();
        AtomicInteger looked = new AtomicInteger();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            while (!done.get()) {
                if (commands.lookup("play") == null || commands.lookup("stop") == null) {
                    missing.incrementAndGet();
                }
                looked.incrementAndGet();
            }
        });
        for (int i = 0; i < 20_000; i++) {
            commands.register(media);
        }
        done.set(true);
        reader.get(30, TimeUnit.SECONDS);
        assertThat(looked.get()).isPositive();
        assertThat(missing.get()).isZero();
        assertThat(commands.lookup("play")).hasSize(1);
        assertThat(commands.unregister(media)).isTrue();
        assertThat(commands.lookup("play")).isNull();
        assertThat(commands.lookup("stop")).isNull();
    }
}
