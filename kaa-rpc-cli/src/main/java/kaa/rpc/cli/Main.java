package kaa.rpc.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kaarpc}: the command line of kaa-rpc. */
@Command(name = "kaarpc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Remote procedure calls between processes, wire-compatible with Python's kaa.rpc.",
        subcommands = {DemoCommand.class, ServeCommand.class, CallCommand.class, PingCommand.class,
            CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status (0 success, 2 usage error). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
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
