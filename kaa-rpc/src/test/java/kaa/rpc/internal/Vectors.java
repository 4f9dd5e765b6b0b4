package kaa.rpc.internal;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kaa.rpc.internal.pickle.Python;

/** The captured sessions of {@code shared/vectors}, one record per packet. */
final class Vectors {

    /** One packet of a transcript; absent fields are null. */
    record Record(Map<String, Object> fields) {
        String text(String key) {
            return (String) fields.get(key);
        }

        int number(String key) {
            return ((Number) fields.get(key)).intValue();
        }

        byte[] bytes(String key) {
            return HexFormat.of().parseHex(text(key));
        }

        byte[] payload() {
            return bytes("payload_hex");
        }

        String type() {
            return text("type");
        }

        /** What Python's pickle.loads makes of the payload, as recorded. */
        String pythonRepr() {
            return fields.containsKey("python_repr") ? text("python_repr") : text("python_repr_latin1");
        }
    }

    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|-?\\d+)");

    private Vectors() {
    }

    /** The transcripts, kept with the tests ({@code src/test/resources/vectors}). */
    static Path dir() {
        try {
            return Path.of(Vectors.class.getResource("/vectors/README.md").toURI()).getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource /vectors is missing", e);
        }
    }

    static List<Record> load(String name) throws IOException {
        List<Record> records = new ArrayList<>();
        for (String line : Files.readAllLines(dir().resolve(name))) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            Matcher m = FIELD.matcher(line);
            while (m.find()) {
                fields.put(m.group(1), m.group(3) != null ? unescape(m.group(3)) : (Object) Long.parseLong(m.group(2)));
            }
            records.add(new Record(fields));
        }
        return records;
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n': sb.append('\n'); break;
                case 't': sb.append('\t'); break;
                case 'u': sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16)); i += 4; break;
                default: sb.append(e);
            }
        }
        return sb.toString();
    }
}
