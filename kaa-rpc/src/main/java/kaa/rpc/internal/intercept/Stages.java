package kaa.rpc.internal.intercept;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** An interceptor's stage as the future the step before it gets. */
public final class Stages {

    private Stages() {
    }

    /** {@code stage} itself if it is a future, else a future that completes as it does. */
    public static CompletableFuture<Object> asFuture(CompletionStage<?> stage) {
        if (stage instanceof CompletableFuture) {
            @SuppressWarnings("unchecked")
            CompletableFuture<Object> f = (CompletableFuture<Object>) stage;
            return f;
        }
        CompletableFuture<Object> f = new CompletableFuture<>();
        stage.whenComplete((value, error) -> {
            if (error != null) {
                f.completeExceptionally(error);
            } else {
                f.complete(value);
            }
        });
        return f;
    }
}
