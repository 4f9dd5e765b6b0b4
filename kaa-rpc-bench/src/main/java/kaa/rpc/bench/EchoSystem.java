package kaa.rpc.bench;

import java.nio.file.Path;

/**
 * A system under comparison: how to start its echo server (in a process of
 * its own, see {@link BenchServer}) and how to connect a client to it.
 */
enum EchoSystem {
    RAW("raw TCP", "raw", "127.0.0.1:0"),
    RAW_UNIX("raw Unix", "raw-unix", null),
    KAA_TCP("kaa-rpc TCP", "kaa", "127.0.0.1:0"),
    KAA_UNIX("kaa-rpc Unix", "kaa-unix", null),
    GRPC("gRPC-java", "grpc", "127.0.0.1:0"),
    RMI("Java RMI", "rmi", "127.0.0.1:0"),
    LSP4J("LSP4J", "lsp4j", "127.0.0.1:0");

    final String label;
    /** Its name in {@code --systems}. */
    final String option;
    private final String tcpAddress;

    EchoSystem(String label, String option, String tcpAddress) {
        this.label = label;
        this.option = option;
        this.tcpAddress = tcpAddress;
    }

    /** The system {@code --systems} names {@code option}. */
    static EchoSystem byOption(String option) {
        for (EchoSystem s : values()) {
            if (s.option.equals(option)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no system '" + option + "'");
    }

    /** Whether it is one of the raw floors, which are blocking and driven by threads. */
    boolean isRaw() {
        return this == RAW || this == RAW_UNIX;
    }

    /** The raw floor of the same kind of socket. */
    EchoSystem floor() {
        return this == KAA_UNIX || this == RAW_UNIX ? RAW_UNIX : RAW;
    }

    /** Where its server listens: an ephemeral TCP port, or a socket file in {@code dir}. */
    String listenAddress(Path dir) {
        return tcpAddress != null ? tcpAddress : dir.resolve("bench-" + name().toLowerCase() + ".sock").toString();
    }

    /** The server side, started inside {@link BenchServer}'s process; returns the bound address. */
    String serve(String address) throws Exception {
        switch (this) {
            case RAW:
            case RAW_UNIX:
                return RawEcho.serve(address);
            case KAA_TCP:
            case KAA_UNIX:
                return KaaEcho.serve(address);
            case GRPC:
                return GrpcEcho.serve(address);
            case RMI:
                return RmiEcho.serve(address);
            case LSP4J:
                return Lsp4jEcho.serve(address);
            default:
                throw new AssertionError(this);
        }
    }

    EchoClient connect(String address) throws Exception {
        switch (this) {
            case RAW:
            case RAW_UNIX:
                return new RawEcho.Client(address);
            case KAA_TCP:
            case KAA_UNIX:
                return new KaaEcho.Client(address);
            case GRPC:
                return new GrpcEcho.Client(address);
            case RMI:
                return new RmiEcho.Client(address);
            case LSP4J:
                return new Lsp4jEcho.Client(address);
            default:
                throw new AssertionError(this);
        }
    }
}
