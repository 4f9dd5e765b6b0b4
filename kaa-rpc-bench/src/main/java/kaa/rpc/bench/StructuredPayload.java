package kaa.rpc.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The payload of the structured scenario, built once: 100 records, as
 * records and as the dicts kaa-rpc would make of them; and the encoding by
 * hand that the byte-level systems (the raw floors, gRPC) carry them in.
 */
final class StructuredPayload {

    static final int COUNT = 100;

    static final List<BenchRecord> RECORDS = records();

    /** The same data as {@link #RECORDS}, a map per record keyed by its component names. */
    static final List<Map<String, Object>> MAPS = RECORDS.stream()
            .map(r -> Map.<String, Object>of("id", r.id(), "stamp", r.stamp(), "score", r.score(), "name", r.name(),
                    "counts", r.counts()))
            .toList();

    private StructuredPayload() {
    }

    private static List<BenchRecord> records() {
        List<BenchRecord> records = new ArrayList<>(COUNT);
        for (int i = 0; i < COUNT; i++) {
            // a stamp beyond an int, so that it travels as a long
            records.add(new BenchRecord(i, 1_700_000_000_000L + 1_000L * i, i + 0.25, String.format(Locale.ROOT, "record-%03d", i),
                    List.of(i, 2 * i, 3 * i)));
        }
        return List.copyOf(records);
    }

    /** The count, then each record's fields in order, its list as a count and the ints. */
    static byte[] encode(List<BenchRecord> records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * records.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(records.size());
            for (BenchRecord r : records) {
                out.writeInt(r.id());
                out.writeLong(r.stamp());
                out.writeDouble(r.score());
                out.writeUTF(r.name());
                out.writeInt(r.counts().size());
                for (int c : r.counts()) {
                    out.writeInt(c);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not from memory
        }
        return bytes.toByteArray();
    }

    /** The records {@link #encode} wrote into the first {@code length} bytes of {@code bytes}. */
    static List<BenchRecord> decode(byte[] bytes, int length) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, length))) {
            int size = in.readInt();
            List<BenchRecord> records = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                int id = in.readInt();
                long stamp = in.readLong();
                double score = in.readDouble();
                String name = in.readUTF();
                int counts = in.readInt();
                List<Integer> values = new ArrayList<>(counts);
                for (int j = 0; j < counts; j++) {
                    values.add(in.readInt());
                }
                records.add(new BenchRecord(id, stamp, score, name, values));
            }
            return records;
        } catch (IOException e) {
            throw new IllegalStateException("not what encode wrote", e);
        }
    }

    /** Checks that an echo gave back as many records as went, and the last one's name. */
    static void check(List<BenchRecord> back) {
        if (back.size() != COUNT || !back.get(COUNT - 1).name().equals(RECORDS.get(COUNT - 1).name())) {
            throw new IllegalStateException("wrong structured echo");
        }
    }

    /** Checks that an echo gave back as many items as went. */
    static void checkSize(List<?> back) {
        if (back.size() != COUNT) {
            throw new IllegalStateException("wrong structured echo: " + back.size() + " items");
        }
    }
}
