package kaa.rpc.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code kaarpc}: the command line of kaa-rpc. */
@Command(name = "kaarpc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Remote procedure calls between processes, wire-compatible with Python's kaa.rpc.",
        subcommands = {DemoCommand.class, ServeCommand.class, CallCommand.class, PingCommand.class, ProxyCommand.class,
            CommandLine.HelpCommand.class, AutoComplete.GenerateCompletion.class})
public final class Main {

    /** The command itself, as picocli runs it; {@link #main} and {@link #run} make one. */
    public Main() {
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the arguments after {@code kaarpc}
     */
    public static void main(String[] args) {
        System.exit(run(utf8Arguments(args)));
    }

    /**
     * The arguments as the shell gave them, in UTF-8. Under a C or POSIX
     * locale (a container without LANG), the JVM decodes them as ASCII and
     * every other character becomes U+FFFD; on Linux the bytes are still in
     * /proc/self/cmdline, and are read again from there.
     */
    static String[] utf8Arguments(String[] args) {
        boolean lossy = false;
        for (String a : args) {
            lossy |= a.indexOf('\ufffd') >= 0;
        }
        if (!lossy || "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"))) {
            return args;
        }
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc/self/cmdline"));
            List<String> all = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < cmdline.length; i++) {
                if (cmdline[i] == 0) {
                    all.add(new String(cmdline, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (all.size() < args.length) {
                return args;
            }
            List<String> ours = all.subList(all.size() - args.length, all.size());
            for (int i = 0; i < args.length; i++) { // the same arguments, only better decoded
                if (ours.get(i).length() < args[i].length() - args[i].chars().filter(c -> c == 0xfffd).count()) {
                    return args;
                }
            }
            return ours.toArray(new String[0]);
        } catch (IOException | RuntimeException notLinux) {
            return args;
        }
    }

    /**
     * Runs the command line and returns the exit status.
     *
     * @param args the arguments after {@code kaarpc}
     * @return the exit status: 0 success, 1 the remote side raised an
     *     exception, 2 bad usage, 3 no connection, 4 no answer in time, 5 an
     *     answer that could not be read or printed, 6 the connection lost
     *     before the answer came
     */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // output in UTF-8 whatever the locale: JSON is UTF-8, and a C locale would print '?' for the rest
        cli.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        // so that negative numbers are arguments: kaarpc call ADDR add -1 -2
        cli.setUnmatchedOptionsArePositionalParams(true);
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"kaarpc " + (v == null ? "(development build)" : v)};
        }
    }
}
