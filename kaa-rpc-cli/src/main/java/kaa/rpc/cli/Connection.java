package kaa.rpc.cli;

import java.io.PrintWriter;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kaa.rpc.AuthenticationException;
import kaa.rpc.Client;
import kaa.rpc.HandshakeTimeoutException;
import kaa.rpc.PeerBuilder;
import kaa.rpc.demo.DemoService;
import kaa.rpc.internal.wire.WireTrace;
import picocli.CommandLine.Option;

/** Options every client command shares, and connecting with errors a person can act on. */
final class Connection {

    @Option(names = {"-s", "--secret"}, defaultValue = "${env:KAARPC_SECRET}", paramLabel = "SECRET",
            description = "The shared secret (default: the environment variable KAARPC_SECRET, else empty). "
                    + "Prefer the variable: it stays out of shell history and ps.")
    String secret;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = Durations.class,
            description = "how long connecting and the handshake may take (default 10s)")
    Duration connectTimeout;

    @Option(names = "--trace", description = "Print the wire trace of this command's connections on stderr: a line "
            + "per packet each way (time, connection, direction, type, seq, command, size, the value in short); "
            + "the handshake by packet type and size only.")
    boolean trace;

    @Option(names = "--trace-format", paramLabel = "FORMAT", description = "text (the default) or json: one JSON "
            + "object per line with the same fields; implies --trace")
    TraceFormat traceFormat;

    enum TraceFormat { text, json }

    /** {@code builder} with the wire trace on {@code err} if it was asked for. */
    <B extends PeerBuilder<B>> B traced(B builder, PrintWriter err) {
        if (trace || traceFormat != null) {
            builder.observer(WireTrace.to(err::println, traceFormat == TraceFormat.json));
        }
        return builder;
    }

    /** Thrown to end a command with an exit status after its message was printed. */
    static final class Exit extends Exception {
        final int status;

        Exit(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    /**
     * Connects and waits for the handshake; on failure prints why to {@code err}
     * and throws {@link Exit}. The client exposes the demo service, so that the
     * peer may call back.
     */
    Client open(String address, PrintWriter err) throws Exit, InterruptedException {
        return open(address, err, true);
    }

    /** As {@link #open(String, PrintWriter)}; with {@code traced} false, never traced (a warm-up). */
    Client open(String address, PrintWriter err, boolean traced) throws Exit, InterruptedException {
        Duration timeout = connectTimeout;
        Client client;
        try {
            // the demo service, so that a server may call us back: kaarpc call ADDRESS callback client_echo 5
            Client.Builder builder = Client.builder(address).secret(secret == null ? "" : secret)
                    .handshakeTimeout(timeout);
            client = (traced ? traced(builder, err) : builder).register(new DemoService())
                    .register(new DemoCommand.ClientSide()).connect();
        } catch (IllegalArgumentException badAddress) {
            err.println("kaarpc: " + badAddress.getMessage());
            throw new Exit(ExitCodes.USAGE);
        }
        try {
            client.whenOpen().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return client;
        } catch (ExecutionException e) {
            client.close();
            err.println("kaarpc: cannot connect to " + Terminal.safe(address) + ": "
                    + Terminal.safe(describe(e.getCause())));
            throw new Exit(ExitCodes.CONNECT);
        } catch (TimeoutException e) {
            client.close();
            err.println("kaarpc: cannot connect to " + address + ": handshake timed out after "
                    + Durations.format(timeout));
            throw new Exit(ExitCodes.CONNECT);
        }
    }

    private static String describe(Throwable cause) {
        if (cause instanceof ConnectException) {
            String m = String.valueOf(cause.getMessage());
            if (m.startsWith("no socket file")) {
                return m.contains("kaa's directory") ? m.replace("no socket file", "no such socket file")
                        : "no such socket file (is a server listening there?)";
            }
            return "connection refused (is a server listening there?)";
        }
        if (cause instanceof AuthenticationException) {
            return "authentication failed: " + cause.getMessage();
        }
        if (cause instanceof HandshakeTimeoutException) {
            return "handshake timed out: " + cause.getMessage();
        }
        String message = String.valueOf(cause.getMessage());
        if (message.startsWith("No such file or directory")) {
            return "no such socket file (is a server listening there?)";
        }
        return cause.getMessage() == null ? cause.toString() : message;
    }
}
