package kaa.rpc.internal.call;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class RpcFutureTimeoutTest {

    /** As CompletableFuture: a wait of no time (a remaining time run out below zero) times out at once. */
    @Test
    void aNegativeTimeoutTimesOutAtOnce() {
        RpcFuture<Object> f = new RpcFuture<>(Runnable::run);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
                assertThatThrownBy(() -> f.get(-1, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class));
    }
}
