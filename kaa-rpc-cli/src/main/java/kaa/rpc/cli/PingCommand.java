package kaa.rpc.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kaa.rpc.Client;
import kaa.rpc.RemoteException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kaarpc ping}: handshake time and round trips to any kaa.rpc peer. */
@Command(name = "ping", mixinStandardHelpOptions = true,
        description = {"Connect to the kaa.rpc peer at ADDRESS, report the handshake time, then the round-trip "
            + "time of COUNT calls of a command the peer does not have (every kaa.rpc peer answers that with "
            + "an error), as min / median / max. A first connection with a few calls warms the JVM up and is "
            + "not reported.",
            "Exit status: 0 success; 2 usage error; 3 could not connect; 4 a call got no answer within the time-out."})
final class PingCommand implements Callable<Integer> {

    /** No peer exposes this, so every peer answers at once with a KeyError. */
    static final String PROBE = "__kaarpc_ping__";
    private static final int WARM_UP_CALLS = 200;

    @Spec
    CommandSpec spec;

    @Mixin
    Connection connection;

    @Parameters(index = "0", paramLabel = "ADDRESS", description = "host:port, [v6addr]:port or a Unix socket path")
    String address;

    @Option(names = {"-c", "--count"}, paramLabel = "N", defaultValue = "10", description = "calls to time (default 10)")
    int count;

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "10s", converter = Durations.class,
            description = "how long to wait for each answer (default 10s)")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (count < 1) {
            err.println("kaarpc: --count must be at least 1");
            return ExitCodes.USAGE;
        }
        try (Client warmUp = connection.open(address, err, false)) { // not traced: --trace shows the timed calls
            // a first connection, not reported, so the figures are not the JVM's start-up
            for (int i = 0; i < WARM_UP_CALLS; i++) {
                warmUp.rpc(PROBE).handle((v, e) -> null).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (Connection.Exit exit) {
            return exit.status;
        } catch (TimeoutException e) {
            err.println("kaarpc: no answer within " + Durations.format(timeout));
            return ExitCodes.TIMEOUT;
        }
        long start = System.nanoTime();
        try (Client client = connection.open(address, err)) {
            out.printf("connected to %s: handshake %.3f ms%n", address, (System.nanoTime() - start) / 1e6);
            out.flush();
            long[] rtt = new long[count];
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                try {
                    client.rpc(PROBE).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof RemoteException)) {
                        err.println("kaarpc: call failed: " + Terminal.safe(e.getCause().getMessage()));
                        return ExitCodes.CONNECT;
                    }
                }
                rtt[i] = System.nanoTime() - t0;
            }
            Arrays.sort(rtt);
            out.printf("%d calls: min %.3f ms, median %.3f ms, max %.3f ms%n", count, rtt[0] / 1e6,
                    rtt[count / 2] / 1e6, rtt[count - 1] / 1e6);
            out.flush();
            return ExitCodes.OK;
        } catch (Connection.Exit exit) {
            return exit.status;
        } catch (TimeoutException e) {
            err.println("kaarpc: no answer within " + Durations.format(timeout));
            return ExitCodes.TIMEOUT;
        }
    }
}
