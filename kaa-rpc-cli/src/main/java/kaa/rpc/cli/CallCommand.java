package kaa.rpc.cli;

import java.io.PrintWriter;
import java.net.ProtocolException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kaa.rpc.Client;
import kaa.rpc.Kwargs;
import kaa.rpc.NotConnectedException;
import kaa.rpc.RemoteException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kaarpc call}: one call to any kaa.rpc peer, the result as JSON. */
@Command(name = "call", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Call COMMAND on the kaa.rpc peer at ADDRESS and print the result as JSON.",
            "",
            "Each ARG and --kw VALUE is read as a JSON literal when it is one (2, 1.5, true, null, \"2\", "
                + "[1, 2], {\"k\": \"v\"}), else as a string; {\"$bytes\": \"<base64>\"} is a byte string.",
            "The result is one line of JSON: tuples and sets as arrays, bytes as {\"$bytes\": \"<base64>\"}, "
                + "integers with all their digits up to 4,300 (larger ones as {\"$hex\": \"0x...\"}), "
                + "NaN and infinities as {\"$float\": \"nan\"|\"inf\"|\"-inf\"}.",
            "Keys beginning with $ are reserved for these forms: a dict key or attribute that begins with $ is "
                + "written (and, in an argument, read) with one more: {\"$$bytes\": 1} is the dict {'$bytes': 1}.",
            "",
            "Exit status: 0 success; 1 the peer raised (type, message and traceback on stderr); "
                + "2 usage error; 3 could not connect (refused, authentication failed, handshake timed out); "
                + "4 no answer within the time-out; 5 the answer could not be read or printed (malformed, "
                + "over the limits, or too large for JSON)."})
final class CallCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    Connection connection;

    @Parameters(index = "0", paramLabel = "ADDRESS", description = "host:port, [v6addr]:port or a Unix socket path")
    String address;

    @Parameters(index = "1", paramLabel = "COMMAND", description = "the exposed name to call")
    String command;

    @Parameters(index = "2..*", paramLabel = "ARG", description = "positional arguments")
    List<String> args = new ArrayList<>();

    @Option(names = "--kw", paramLabel = "NAME=VALUE", description = "a keyword argument; repeatable")
    List<String> keywords = new ArrayList<>();

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "10s",
            converter = Durations.class,
            description = "how long to wait for the answer, like 500ms, 2s, 1m (default 10s)")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Object> values = new ArrayList<>();
        Map<String, Object> kwargs = new LinkedHashMap<>();
        try {
            args.forEach(a -> values.add(Json.parseArgument(a)));
            for (String kw : keywords) {
                int eq = kw.indexOf('=');
                if (eq <= 0) {
                    throw new ParameterException(spec.commandLine(), "--kw wants NAME=VALUE, got '" + kw + "'");
                }
                kwargs.put(kw.substring(0, eq), Json.parseArgument(kw.substring(eq + 1)));
            }
        } catch (IllegalArgumentException badArgument) {
            throw new ParameterException(spec.commandLine(), badArgument.getMessage());
        }
        if (!kwargs.isEmpty()) {
            values.add(Kwargs.of(kwargs));
        }
        try (Client client = connection.open(address, err)) {
            Object result = client.rpc(command, values.toArray()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String json;
            try {
                json = Json.render(result);
            } catch (Json.TooLarge e) {
                err.println("kaarpc: " + Terminal.safe(e.getMessage()));
                return ExitCodes.BAD_ANSWER;
            }
            out.println(json);
            out.flush();
            return ExitCodes.OK;
        } catch (Connection.Exit exit) {
            return exit.status;
        } catch (TimeoutException e) {
            err.println("kaarpc: no answer to '" + Terminal.safe(command) + "' within " + Durations.format(timeout));
            return ExitCodes.TIMEOUT;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RemoteException) {
                err.println(Terminal.safe(cause.getMessage())); // the peer's type, message and traceback
                return ExitCodes.REMOTE_EXCEPTION;
            }
            if (cause instanceof IllegalArgumentException) {
                err.println("kaarpc: " + Terminal.safe(cause.getMessage()));
                return ExitCodes.USAGE;
            }
            if (cause instanceof ProtocolException) { // the answer came but could not be read
                err.println("kaarpc: " + Terminal.safe(cause.getMessage()));
                return ExitCodes.BAD_ANSWER;
            }
            // the library's message names the call already: "call 'x' failed: connection closed (...)"
            String message = String.valueOf(cause.getMessage());
            err.println("kaarpc: " + Terminal.safe(message.startsWith("call '") ? message
                    : "call '" + command + "' failed: " + message));
            // connected (the handshake passed before the call was sent): the connection was lost mid-call
            if (cause instanceof NotConnectedException) {
                // closed because what the peer sent could not be read (a frame over the limit): a bad answer
                return cause.getCause() instanceof ProtocolException ? ExitCodes.BAD_ANSWER
                        : ExitCodes.CONNECTION_LOST;
            }
            return ExitCodes.CONNECT;
        }
    }
}
