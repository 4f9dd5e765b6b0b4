package kaa.rpc.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The latency percentile curves of every system as an SVG: percentile on a
 * log scale of 1/(1-p), as HdrHistogram's plots draw it (50 %, 90 %, 99 %,
 * 99.9 %, 99.99 %), latency on a log scale, so tails show beside medians.
 */
final class LatencyChart {

    private static final int WIDTH = 760;
    private static final int HEIGHT = 440;
    private static final int LEFT = 70;
    private static final int RIGHT = 170;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final double MAX_NINES = 4; // up to 99.99 %
    private static final String[] COLOURS = {"#222222", "#888888", "#d62728", "#ff7f0e", "#1f77b4", "#2ca02c",
        "#9467bd", "#8c564b"};

    private LatencyChart() {
    }

    static void write(Path file, Map<EchoSystem, Histogram> latency, String subtitle) throws IOException {
        double low = Double.MAX_VALUE;
        double high = 0;
        for (Histogram h : latency.values()) {
            low = Math.min(low, micros(h.getValueAtPercentile(0)));
            high = Math.max(high, micros(h.getValueAtPercentile(100 * (1 - Math.pow(10, -MAX_NINES)))));
        }
        double yLow = Math.pow(10, Math.floor(Math.log10(Math.max(low, 0.1))));
        double yHigh = Math.pow(10, Math.ceil(Math.log10(Math.max(high, yLow * 10))));
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">"
                + "Round-trip latency by percentile</text>%n", LEFT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"32\" fill=\"#555\">%s</text>%n", LEFT,
                escape(subtitle)));
        // grid and axes
        for (int nines = 0; nines <= MAX_NINES; nines++) {
            double x = x(nines);
            String label = nines == 0 ? "0%" : (100 * (1 - Math.pow(10, -nines)) + "").replaceAll("\\.?0+$", "") + "%";
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    x, TOP, x, HEIGHT - BOTTOM));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
                    HEIGHT - BOTTOM + 16, label));
        }
        for (double v = yLow; v <= yHigh * 1.0001; v *= 10) {
            double y = y(v, yLow, yHigh);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, y, WIDTH - RIGHT, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, y + 4, v >= 1 ? Long.toString(Math.round(v)) : Double.toString(v)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
                LEFT + (WIDTH - LEFT - RIGHT) / 2, HEIGHT - 12));
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(16,%d) rotate(-90)\" text-anchor=\"middle\">"
                + "microseconds (log scale)</text>%n", TOP + (HEIGHT - TOP - BOTTOM) / 2));
        int i = 0;
        for (Map.Entry<EchoSystem, Histogram> e : latency.entrySet()) {
            String colour = COLOURS[i % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (int step = 0; step <= 200; step++) {
                double nines = MAX_NINES * step / 200;
                double percentile = 100 * (1 - Math.pow(10, -nines));
                double v = Math.max(micros(e.getValue().getValueAtPercentile(percentile)), yLow);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(nines), y(v, yLow, yHigh)));
            }
            String dash = e.getKey().isRaw() ? " stroke-dasharray=\"5,3\"" : "";
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s"
                    + " points=\"%s\"/>%n", colour, dash, points.toString().trim()));
            int ly = TOP + 10 + 20 * i;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                    + " stroke-width=\"2\"%s/>%n", WIDTH - RIGHT + 12, ly, WIDTH - RIGHT + 36, ly, colour, dash));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", WIDTH - RIGHT + 42, ly + 4,
                    escape(e.getKey().label)));
            i++;
        }
        svg.append("</svg>\n");
        Files.writeString(file, svg.toString());
    }

    private static double x(double nines) {
        return LEFT + (WIDTH - LEFT - RIGHT) * nines / MAX_NINES;
    }

    private static double y(double micros, double low, double high) {
        double f = (Math.log10(micros) - Math.log10(low)) / (Math.log10(high) - Math.log10(low));
        return HEIGHT - BOTTOM - f * (HEIGHT - TOP - BOTTOM);
    }

    private static double micros(long nanos) {
        return nanos / 1e3;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
