package kaa.rpc.bench;

import java.io.Serializable;
import java.util.List;

/**
 * One record of the structured scenario: five fields of the usual kinds.
 * Serializable for RMI; kaa-rpc sends it as a dict of its components, LSP4J
 * (Gson) as a JSON object.
 */
public record BenchRecord(int id, long stamp, double score, String name, List<Integer> counts)
        implements Serializable {
}
