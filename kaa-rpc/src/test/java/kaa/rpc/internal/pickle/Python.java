package kaa.rpc.internal.pickle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the machine's python3 on pickles, to check our bytes against the real unpickler. */
public final class Python {

    private Python() {
    }

    /** The repr of {@code pickle.loads} of each payload, in order. */
    public static List<String> loadsRepr(List<byte[]> payloads) throws IOException, InterruptedException {
        StringBuilder input = new StringBuilder();
        for (byte[] p : payloads) {
            input.append(HexFormat.of().formatHex(p)).append('\n');
        }
        String script = "import sys, pickle\nsys.stdout.reconfigure(encoding='utf-8')\n"
                + "for line in sys.stdin:\n"
                + "    print(repr(pickle.loads(bytes.fromhex(line.strip()))))\n";
        return run(script, input.toString());
    }

    /** Runs a script with stdin and arguments, returning its stdout lines; fails on a non-zero exit. */
    public static List<String> run(String script, String stdin, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3", "-c", script));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("python3 did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException("python3 failed: " + new String(err, StandardCharsets.UTF_8));
        }
        List<String> lines = new ArrayList<>();
        for (String l : new String(out, StandardCharsets.UTF_8).split("\n")) {
            if (!l.isEmpty()) {
                lines.add(l);
            }
        }
        return lines;
    }
}
