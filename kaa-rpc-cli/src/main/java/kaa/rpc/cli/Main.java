package kaa.rpc.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kaarpc}: the command line of kaa-rpc. */
@Command(name = "kaarpc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Remote procedure calls between processes, wire-compatible with Python's kaa.rpc.",
        subcommands = {DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status (0 success, 2 usage error). */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"kaarpc " + (v == null ? "(development build)" : v)};
        }
    }
}
