package kaa.rpc.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kaa.rpc.PeerBuilder;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations written as {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 1m} or {@code 1h}. */
final class Durations implements ITypeConverter<Duration> {

    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

    @Override
    public Duration convert(String text) {
        return parse(text);
    }

    static Duration parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a duration; write it like 500ms, 2s, 1m or 1h");
        }
        double amount = Double.parseDouble(m.group(1));
        double millis = amount * switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            default -> 3_600_000;
        };
        if (millis < 1) {
            throw new TypeConversionException("'" + text + "' is shorter than a millisecond");
        }
        if (!(millis <= PeerBuilder.MAX_DURATION.toMillis())) { // NaN and infinity too
            throw new TypeConversionException("'" + text + "' is too long: at most "
                    + PeerBuilder.MAX_DURATION.toHours() + "h (100 years)");
        }
        return Duration.ofMillis(Math.round(millis));
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
