package kaa.rpc.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The observations stopped, in order, to wait for. Registered first on a
 * registry, it hears of a stop last (handlers hear of stops in reverse), when
 * every other handler, the meter handler included, has seen it.
 */
final class Stops implements ObservationHandler<Observation.Context> {

    private final BlockingQueue<Observation.Context> stopped = new LinkedBlockingQueue<>();

    @Override
    public void onStop(Observation.Context context) {
        stopped.add(context);
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return true;
    }

    /** The next {@code n} observations to stop, waiting at most {@link Fixtures#WAIT} for each. */
    List<Observation.Context> next(int n) throws InterruptedException {
        List<Observation.Context> contexts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Observation.Context c = stopped.poll(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (c == null) {
                throw new AssertionError("only " + i + " of " + n + " observations stopped within " + Fixtures.WAIT
                        + ": " + contexts);
            }
            contexts.add(c);
        }
        return contexts;
    }

    /** The next observation to stop. */
    Observation.Context next() throws InterruptedException {
        return next(1).get(0);
    }

    /** Nothing more stopped (after the tests waited for what they expect). */
    boolean isEmpty() {
        return stopped.isEmpty();
    }
}
