package kaa.rpc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kaa.rpc.Server;
import kaa.rpc.demo.DemoService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kaarpc serve}: a server exposing the demo service, for any peer to exercise. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the demo service on ADDRESS until interrupted.",
            "",
            "Exposes echo(x), add(a, b), greet(name, greeting='hello'), fail(msg) (raises ValueError), "
                + "slow(seconds, value), whoami(), callback(cmd, arg) (calls cmd(arg) on the caller) and types().",
            "Prints 'READY <address>' on stdout once listening; logs connections and failed handshakes "
                + "on stderr; closes cleanly on SIGINT or SIGTERM. A client silent for 30 s is probed, and "
                + "dropped if it does not answer within 10 s."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    Connection connection;

    @Parameters(index = "0", paramLabel = "ADDRESS",
            description = "host:port, [v6addr]:port, a port number, or a Unix socket path "
                    + "(a bare name goes to kaa's temp directory); port 0 picks a free port")
    String address;

    @Option(names = "--receive-budget", paramLabel = "SIZE", defaultValue = "256m", converter = Sizes.class,
            description = "memory for large frames being received from all clients at once, like 64m or 1g "
                    + "(default 256m); past it, a client's large frame waits its turn")
    long receiveBudget;

    @Option(names = "--frame-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = Durations.class,
            description = "how long one frame may take to arrive (default 30s); a client that stalls "
                    + "within a frame is cut off")
    Duration frameTimeout;

    /** A byte count: digits with an optional k, m or g (KiB, MiB, GiB). */
    static final class Sizes implements picocli.CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            Matcher m = Pattern.compile("(\\d+)([kmg]?)i?b?")
                    .matcher(text.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new picocli.CommandLine.TypeConversionException("'" + text
                        + "' is not a size; write it like 65536, 64k, 256m or 1g");
            }
            int shift = m.group(2).isEmpty() ? 0 : 10 * ("kmg".indexOf(m.group(2)) + 1);
            return Long.parseLong(m.group(1)) << shift;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String secret = connection.secret == null ? "" : connection.secret;
        Server server;
        try {
            Server.Builder builder = address.matches("\\d+") ? Server.builder(Integer.parseInt(address))
                    : Server.builder(address);
            // a client that freezes is found out and dropped, failing the calls we make to it
            server = connection.traced(builder, err).secret(secret).heartbeat(Duration.ofSeconds(30), Duration.ofSeconds(10))
                    .receiveBudget(receiveBudget).frameTimeout(frameTimeout)
                    .register(new DemoService()).listen();
        } catch (IllegalArgumentException badAddress) {
            err.println("kaarpc: " + badAddress.getMessage());
            return ExitCodes.USAGE;
        } catch (IOException e) {
            err.println("kaarpc: " + e.getMessage());
            return ExitCodes.CONNECT;
        }
        server.clientConnected().connect(channel -> {
            String peer = channel.toString();
            err.println("kaarpc: client connected: " + peer);
            err.flush();
            channel.closed().connect(reason -> {
                err.println("kaarpc: client disconnected: " + peer + " (" + Terminal.safe(reason.getMessage()) + ")");
                err.flush();
            });
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.close();
            err.println("kaarpc: server closed");
            err.flush();
            stopped.countDown();
        }, "kaarpc-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("READY " + server.address());
        out.flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
