package kaa.rpc.bench;

/**
 * The server process of one system: {@code BenchServer SYSTEM ADDRESS} starts
 * its echo server, prints {@code READY <address>}, and exits when its standard
 * input closes (when the harness ends, whatever way it ends).
 */
public final class BenchServer {

    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        EchoSystem system = EchoSystem.valueOf(args[0]);
        String bound = system.serve(args[1]);
        System.out.println("READY " + bound);
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the harness to go away
        }
        System.exit(0);
    }
}
