package kaa.rpc.bench;

/**
 * A system under comparison: how to start its echo server (in a process of
 * its own, see {@link BenchServer}) and how to connect a client to it.
 */
enum EchoSystem {
    RAW("raw socket", "127.0.0.1:0"),
    KAA_TCP("kaa-rpc TCP", "127.0.0.1:0"),
    KAA_UNIX("kaa-rpc Unix", null),
    GRPC("gRPC-java", "127.0.0.1:0"),
    RMI("Java RMI", "127.0.0.1:0");

    final String label;
    private final String tcpAddress;

    EchoSystem(String label, String tcpAddress) {
        this.label = label;
        this.tcpAddress = tcpAddress;
    }

    /** Where its server listens: an ephemeral TCP port, or a socket file in {@code dir}. */
    String listenAddress(java.nio.file.Path dir) {
        return tcpAddress != null ? tcpAddress : dir.resolve("bench-" + name().toLowerCase() + ".sock").toString();
    }

    /** The server side, started inside {@link BenchServer}'s process; returns the bound address. */
    String serve(String address) throws Exception {
        switch (this) {
            case RAW:
                return RawEcho.serve(address);
            case KAA_TCP:
            case KAA_UNIX:
                return KaaEcho.serve(address);
            case GRPC:
                return GrpcEcho.serve(address);
            case RMI:
                return RmiEcho.serve(address);
            default:
                throw new AssertionError(this);
        }
    }

    EchoClient connect(String address) throws Exception {
        switch (this) {
            case RAW:
                return new RawEcho.Client(address);
            case KAA_TCP:
            case KAA_UNIX:
                return new KaaEcho.Client(address);
            case GRPC:
                return new GrpcEcho.Client(address);
            case RMI:
                return new RmiEcho.Client(address);
            default:
                throw new AssertionError(this);
        }
    }
}
