package kaa.rpc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.net.Address;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kaarpc proxy}: a tracing relay between kaa.rpc peers. */
@Command(name = "proxy", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Relay every connection made to LISTEN to TARGET, byte for byte (the handshake passes "
            + "through untouched: no secret is needed), and print each packet both ways as a wire trace line; "
            + "each answer (RETN, EXCP) shows the command of its call and the latency since it.",
            "",
            "Lines: TIME CONN CLIENT ARROW TARGET TYPE seq=SEQ [cmd=COMMAND] BYTESB [LATENCYms] [[NOTE]] [VALUE]; "
                + "ARROW is -> from the client to the target, <- back, -- an event of the connection. "
                + "Prints 'READY <address>' first; runs until interrupted.",
            "",
            "Bounded whatever the peers send: frames over --max-frame-size stop the decoding of that direction "
                + "(its bytes are still relayed), payloads over 1 MiB are not decoded, at most 64 MiB of "
                + "payloads are held for decoding at once, at most --max-pending calls are remembered per "
                + "connection for pairing, at most --max-connections are relayed at once, and a side that reads "
                + "nothing for --stall-timeout while the other waits to send to it is closed, with the other."})
final class ProxyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LISTEN",
            description = "where to listen: a port, host:port, [v6addr]:port or a Unix socket path; port 0 picks one")
    String listen;

    @Parameters(index = "1", paramLabel = "TARGET",
            description = "the kaa.rpc peer to relay to: host:port, [v6addr]:port or a Unix socket path")
    String target;

    @Option(names = "--json", description = "print JSON lines (the fields of docs/OBSERVABILITY.md) instead of text")
    boolean json;

    @Option(names = "--command", paramLabel = "GLOB", description = "print only calls whose command matches GLOB "
            + "(* any characters, ? one), and their answers; repeatable")
    List<String> commands = new ArrayList<>();

    @Option(names = "--max-frame-size", paramLabel = "SIZE", converter = ServeCommand.Sizes.class,
            defaultValue = "" + FrameLimits.DEFAULT_MAX_FRAME_SIZE,
            description = "the largest frame decoded, like 64m (default the library's, 64m); past it, that "
                    + "direction is relayed without decoding")
    long maxFrameSize;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "" + TraceProxy.Settings.DEFAULT_MAX_CONNECTIONS,
            description = "connections relayed at once (default ${DEFAULT-VALUE}); more are closed at once")
    int maxConnections;

    @Option(names = "--max-pending", paramLabel = "N", defaultValue = "" + TraceProxy.Settings.DEFAULT_MAX_PENDING,
            description = "calls per connection remembered for pairing with their answers (default "
                    + "${DEFAULT-VALUE}); the oldest is forgotten past it, and counted")
    int maxPending;

    @Option(names = "--stall-timeout", paramLabel = "DURATION", converter = Durations.class, defaultValue = "60s",
            description = "how long a side may read nothing while the other waits to send to it (default 60s): then "
                    + "both are closed")
    Duration stallTimeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (maxConnections < 1 || maxPending < 1 || maxFrameSize < 0) {
            err.println("kaarpc: --max-connections and --max-pending must be at least 1, --max-frame-size positive");
            return ExitCodes.USAGE;
        }
        Address from;
        Address to;
        try {
            from = listen.matches("\\d+") ? Address.port(Integer.parseInt(listen), true) : Address.parse(listen, true);
            to = Address.parse(target);
        } catch (IllegalArgumentException bad) {
            err.println("kaarpc: " + bad.getMessage());
            return ExitCodes.USAGE;
        }
        LinePrinter printer = new LinePrinter(out);
        TraceProxy proxy;
        try {
            proxy = new TraceProxy(from, to, new TraceProxy.Settings(maxFrameSize, maxConnections, maxPending, json,
                    commands, stallTimeout), printer);
        } catch (IOException e) {
            err.println("kaarpc: " + e.getMessage());
            printer.close();
            return ExitCodes.CONNECT;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            try {
                printer.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, "kaarpc-shutdown"));
        out.println("READY " + proxy.address());
        out.flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
