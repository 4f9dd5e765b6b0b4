package kaa.rpc.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Collectors;
import kaa.rpc.internal.net.IoBackend;
import org.HdrHistogram.Histogram;

/**
 * The side-by-side comparison: each system's echo server runs in a JVM of its
 * own with the same flags, the clients run here, and the systems take turns
 * round by round so that drift of a shared machine hits them all alike.
 *
 * <pre>
 * java -jar kaa-rpc-bench.jar [--rounds 3] [--quick]
 *     [--scenarios latency,pipelined,bulk,structured,shared]
 *     [--systems raw,raw-unix,kaa,kaa-unix,grpc,rmi,lsp4j] [--fan-in 100,1000,10000]
 *     [--transport auto|nio|epoll] [--json FILE] [--svg FILE]
 * </pre>
 *
 * {@code --scenarios} and {@code --systems} choose what runs (all by
 * default; the raw floor of a chosen system always runs, as its ratios need
 * it), {@code --fan-in} the numbers of clients of the fan-in ({@code ""}:
 * none), {@code --transport} sets kaa-rpc's Netty transport on both ends (the
 * {@code kaa.rpc.transport} property), {@code --json} writes every figure for
 * tracking, {@code --svg} draws the latency percentile curves.
 */
public final class Compare {

    /** The flags of every server JVM. */
    static final List<String> SERVER_JVM_FLAGS = List.of("-Xms64m", "-Xmx1g", "-XX:+UseG1GC");

    private static final String TRANSPORT = "kaa.rpc.transport";

    private static final String USAGE = "usage: Compare [--rounds N] [--quick]"
            + " [--scenarios latency,pipelined,bulk,structured,shared]"
            + " [--systems raw,raw-unix,kaa,kaa-unix,grpc,rmi,lsp4j] [--fan-in 100,1000,10000]"
            + " [--transport auto|nio|epoll] [--json FILE] [--svg FILE]";

    private static final int WINDOW = 64;
    private static final int BULK_SIZE = 1 << 20;
    private static final int SHARING_THREADS = 16;

    /** What {@code --scenarios} chooses from, in the order they run; fan-in is chosen by {@code --fan-in}. */
    enum Scenario {
        LATENCY, PIPELINED, BULK, STRUCTURED, SHARED;

        /** Its name in {@code --scenarios}. */
        final String option = name().toLowerCase(Locale.ROOT);

        static Scenario byOption(String option) {
            for (Scenario s : values()) {
                if (s.option.equals(option)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("no scenario '" + option + "'");
        }
    }

    private final int rounds;
    private final int latencyCalls;
    private final int pipelinedCalls;
    private final int bulkCalls;
    private final int structuredCalls;
    private final int sharedCalls;
    private final Set<Scenario> scenarios;
    /** The chosen systems and their floors, in the order of {@link EchoSystem}. */
    private final List<EchoSystem> systems;
    private final List<Integer> fanIn;
    private final Path dir;

    private final Map<EchoSystem, Histogram> latency = new EnumMap<>(EchoSystem.class);
    private final Map<EchoSystem, List<Double>> pipelined = new EnumMap<>(EchoSystem.class);
    private final Map<EchoSystem, List<Double>> bulk = new EnumMap<>(EchoSystem.class);
    private final List<StructuredRow> structured;
    private final Map<EchoSystem, List<Double>> shared = new EnumMap<>(EchoSystem.class);
    private final List<String[]> fanInRows = new ArrayList<>();
    private final Progress progress = new Progress();
    private Path json;
    private Path svg;

    private Compare(int rounds, boolean quick, Set<Scenario> scenarios, Set<EchoSystem> systems, List<Integer> fanIn)
            throws IOException {
        this.rounds = rounds;
        this.latencyCalls = quick ? 2_000 : 20_000;
        this.pipelinedCalls = quick ? 10_000 : 100_000;
        this.bulkCalls = quick ? 10 : 100;
        this.structuredCalls = quick ? 200 : 2_000;
        this.sharedCalls = quick ? 4_000 : 20_000;
        this.scenarios = scenarios;
        this.systems = List.copyOf(systems);
        this.structured = structuredRows(this.systems);
        this.fanIn = fanIn;
        this.dir = Files.createTempDirectory("kaa-rpc-bench");
    }

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        boolean quick = false;
        Set<Scenario> scenarios = EnumSet.allOf(Scenario.class);
        Set<EchoSystem> systems = EnumSet.allOf(EchoSystem.class);
        List<Integer> fanIn = List.of(100, 1_000, 10_000);
        Path json = null;
        Path svg = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    case "--quick" -> quick = true;
                    case "--scenarios" -> scenarios = chosen(args[++i], Scenario.class, Scenario::byOption);
                    case "--systems" -> systems = chosen(args[++i], EchoSystem.class, EchoSystem::byOption);
                    case "--fan-in" -> {
                        String v = args[++i];
                        fanIn = v.isEmpty() ? List.of() : Arrays.stream(v.split(",")).map(Integer::valueOf).toList();
                    }
                    case "--transport" -> System.setProperty(TRANSPORT, args[++i]);
                    case "--json" -> json = Path.of(args[++i]);
                    case "--svg" -> svg = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
            if (systems.isEmpty()) {
                throw new IllegalArgumentException("no system chosen");
            }
            if (svg != null && !scenarios.contains(Scenario.LATENCY)) {
                throw new IllegalArgumentException("--svg draws the latency scenario, which is not chosen");
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            System.err.println(args[args.length - 1] + " needs a value");
            System.err.println(USAGE);
            System.exit(2);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
        for (EchoSystem s : List.copyOf(systems)) {
            systems.add(s.floor());
        }
        if (quick) {
            rounds = Math.min(rounds, 1);
            fanIn = fanIn.stream().map(n -> Math.min(n, 100)).distinct().toList();
        }
        Compare compare = new Compare(rounds, quick, scenarios, systems, fanIn);
        compare.json = json;
        compare.svg = svg;
        compare.run();
        System.exit(0);
    }

    /** What a comma-separated {@code list} of option names chooses: nothing for an empty list. */
    private static <E extends Enum<E>> Set<E> chosen(String list, Class<E> type, Function<String, E> byOption) {
        Set<E> chosen = EnumSet.noneOf(type);
        if (!list.isEmpty()) {
            for (String name : list.split(",")) {
                chosen.add(byOption.apply(name.trim()));
            }
        }
        return chosen;
    }

    private void run() throws Exception {
        long start = System.nanoTime();
        System.out.printf("kaa-rpc comparison: %d cores, Java %s, server JVM flags %s, %d rounds, kaa-rpc on %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                String.join(" ", SERVER_JVM_FLAGS), rounds, IoBackend.get().name());
        if (scenarios.size() < Scenario.values().length || systems.size() < EchoSystem.values().length) {
            String chosenScenarios = scenarios.stream().map(s -> s.option).collect(Collectors.joining(", "));
            String chosenSystems = systems.stream().map(s -> s.label).collect(Collectors.joining(", "));
            System.out.printf("chosen: scenarios %s; systems %s%n",
                    chosenScenarios.isEmpty() ? "none (fan-in only)" : chosenScenarios, chosenSystems);
        }
        if (!scenarios.isEmpty()) {
            runRounds();
        }
        List<EchoSystem> fanInSystems = new ArrayList<>(
                List.of(EchoSystem.KAA_TCP, EchoSystem.KAA_UNIX, EchoSystem.GRPC, EchoSystem.RMI, EchoSystem.RAW));
        fanInSystems.retainAll(systems);
        for (int n : fanIn) {
            for (EchoSystem s : fanInSystems) {
                String tooHeavy = n <= 1_000 ? null : switch (s) {
                    case RAW -> "a thread per connection";
                    case RMI -> "a thread per connection, and a connection per concurrent call";
                    case GRPC -> "a channel each: too heavy for this run";
                    default -> null;
                };
                if (tooHeavy != null) {
                    fanInRows.add(new String[] {s.label, Integer.toString(n), "-", "-", "-", tooHeavy});
                    continue;
                }
                progress.show("fan-in " + s.label + " x" + n);
                measureFanIn(s, n);
            }
            Collections.rotate(fanInSystems, 1); // no system always first, or always last
        }
        progress.done();
        report();
        if (svg != null) {
            LatencyChart.write(svg, latency, String.format(Locale.ROOT,
                    "sequential 16-byte echo, %d calls per system, %d cores, Java %s, kaa-rpc on %s",
                    latencyCalls * rounds, Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"), IoBackend.get().name()));
            System.out.printf("%nlatency chart: %s%n", svg);
        }
        if (json != null) {
            writeJson(json);
            System.out.printf("figures as JSON: %s%n", json);
        }
        System.out.printf("%nfinished in %.0f s%n", seconds(start));
    }

    /** The scenarios that take turns round by round, against one server of each system. */
    private void runRounds() throws Exception {
        Map<EchoSystem, ServerProcess> servers = new EnumMap<>(EchoSystem.class);
        Map<EchoSystem, EchoClient> clients = new EnumMap<>(EchoSystem.class);
        try {
            for (EchoSystem s : systems) {
                ServerProcess p = ServerProcess.start(s, s.listenAddress(dir));
                servers.put(s, p);
                clients.put(s, s.connect(p.address));
                latency.put(s, new Histogram(3));
                pipelined.put(s, new ArrayList<>());
                bulk.put(s, new ArrayList<>());
                shared.put(s, new ArrayList<>());
            }
            byte[] payload = scenarios.contains(Scenario.BULK) ? payload() : null;
            System.out.println("warming up...");
            for (EchoSystem s : systems) {
                progress.show("warming up " + s.label);
                EchoClient c = clients.get(s);
                if (scenarios.contains(Scenario.LATENCY)) {
                    for (int i = 0; i < latencyCalls / 2; i++) {
                        c.echoSmall();
                    }
                }
                if (scenarios.contains(Scenario.PIPELINED)) {
                    c.pipelined(pipelinedCalls / 4, WINDOW);
                }
                if (scenarios.contains(Scenario.BULK)) {
                    for (int i = 0; i < Math.max(3, bulkCalls / 10); i++) {
                        c.echoBytes(payload);
                    }
                }
                if (scenarios.contains(Scenario.STRUCTURED)) {
                    for (StructuredRow row : structuredRowsOf(s)) {
                        for (int i = 0; i < structuredCalls / 2; i++) {
                            row.call.echo(c);
                        }
                    }
                }
                if (scenarios.contains(Scenario.SHARED)) {
                    c.shared(SHARING_THREADS, sharedCalls / 4);
                }
            }
            for (int r = 0; r < rounds; r++) {
                List<EchoSystem> order = new ArrayList<>(systems);
                Collections.rotate(order, r);
                progress.println(String.format("round %d of %d (order %s)", r + 1, rounds, order));
                String round = String.format("round %d/%d: ", r + 1, rounds);
                if (scenarios.contains(Scenario.LATENCY)) {
                    for (EchoSystem s : order) {
                        progress.show(round + "latency, " + s.label);
                        measureLatency(s, clients.get(s));
                    }
                }
                if (scenarios.contains(Scenario.PIPELINED)) {
                    measureRate(order, round + "pipelined, ", clients, pipelined, pipelinedCalls,
                            c -> c.pipelined(pipelinedCalls, WINDOW));
                }
                if (scenarios.contains(Scenario.BULK)) {
                    for (EchoSystem s : order) {
                        progress.show(round + "bulk, " + s.label);
                        long t0 = System.nanoTime();
                        for (int i = 0; i < bulkCalls; i++) {
                            clients.get(s).echoBytes(payload);
                        }
                        bulk.get(s).add((double) bulkCalls * BULK_SIZE / (1 << 20) / seconds(t0));
                    }
                }
                if (scenarios.contains(Scenario.STRUCTURED)) {
                    for (EchoSystem s : order) {
                        for (StructuredRow row : structuredRowsOf(s)) {
                            progress.show(round + "structured, " + row.label());
                            measureStructured(row, clients.get(s));
                        }
                    }
                }
                if (scenarios.contains(Scenario.SHARED)) {
                    measureRate(order, round + "shared, ", clients, shared, sharedCalls,
                            c -> c.shared(SHARING_THREADS, sharedCalls));
                }
            }
        } finally {
            for (EchoClient c : clients.values()) {
                c.close();
            }
            for (ServerProcess p : servers.values()) {
                p.close();
            }
        }
    }

    private static byte[] payload() {
        byte[] b = new byte[BULK_SIZE];
        new Random(42).nextBytes(b);
        return b;
    }

    /** What one system's client does for a rate: {@code calls} calls in all. */
    private interface Calls {
        void make(EchoClient c) throws Exception;
    }

    /** Each system in {@code order} makes {@code calls} calls as {@code run} says; their rate goes into {@code into}. */
    private void measureRate(List<EchoSystem> order, String what, Map<EchoSystem, EchoClient> clients,
            Map<EchoSystem, List<Double>> into, int calls, Calls run) throws Exception {
        for (EchoSystem s : order) {
            progress.show(what + s.label);
            long t0 = System.nanoTime();
            run.make(clients.get(s));
            into.get(s).add(calls / seconds(t0));
        }
    }

    private void measureLatency(EchoSystem s, EchoClient c) throws Exception {
        Histogram h = latency.get(s);
        for (int i = 0; i < latencyCalls; i++) {
            long t0 = System.nanoTime();
            c.echoSmall();
            h.recordValue(System.nanoTime() - t0);
        }
    }

    private void measureStructured(StructuredRow row, EchoClient c) throws Exception {
        for (int i = 0; i < structuredCalls; i++) {
            long t0 = System.nanoTime();
            row.call.echo(c);
            row.latency.recordValue(System.nanoTime() - t0);
        }
    }

    /** A row of the structured scenario: a system, one way it carries the records ({@code how}, for the report). */
    private record StructuredRow(EchoSystem system, String variant, String how, RecordsCall call, Histogram latency) {

        StructuredRow(EchoSystem system, String variant, String how, RecordsCall call) {
            this(system, variant, how, call, new Histogram(3));
        }

        String label() {
            return variant == null ? system.label : system.label + " " + variant;
        }

        double median() {
            return micros(latency.getValueAtPercentile(50));
        }
    }

    /** One structured round trip on a system's client. */
    private interface RecordsCall {
        void echo(EchoClient c) throws Exception;
    }

    /** The rows of the structured scenario, in the order of {@code systems}. */
    private static List<StructuredRow> structuredRows(List<EchoSystem> systems) {
        String byHand = "encoded by hand (DataOutputStream), decoded into records";
        String asRecords = "typed proxy, List<BenchRecord>: goes as dicts, made records again";
        List<StructuredRow> rows = new ArrayList<>();
        for (EchoSystem s : systems) {
            switch (s) {
                case RAW, RAW_UNIX -> rows.add(new StructuredRow(s, null, byHand, EchoClient::echoRecords));
                case KAA_TCP -> {
                    rows.add(new StructuredRow(s, "records", asRecords, EchoClient::echoRecords));
                    rows.add(new StructuredRow(s, "maps", "rpc(\"echo\", List<Map>): dicts both ways, no records",
                            c -> ((KaaEcho.Client) c).echoMaps()));
                }
                case KAA_UNIX -> rows.add(new StructuredRow(s, "records", asRecords, EchoClient::echoRecords));
                case GRPC -> rows.add(new StructuredRow(s, null, "encoded by hand as the raw floor's, through the"
                        + " byte[] method", EchoClient::echoRecords));
                case RMI -> rows.add(new StructuredRow(s, null, "an ArrayList of Serializable records",
                        EchoClient::echoRecords));
                case LSP4J -> rows.add(new StructuredRow(s, null, "@JsonRequest: JSON objects through Gson, the"
                        + " list in a params object", EchoClient::echoRecords));
                default -> throw new AssertionError(s);
            }
        }
        return rows;
    }

    private List<StructuredRow> structuredRowsOf(EchoSystem s) {
        return structured.stream().filter(row -> row.system == s).toList();
    }

    /** The structured row of system {@code s} and {@code variant}; null if it did not run. */
    private StructuredRow structuredRow(EchoSystem s, String variant) {
        for (StructuredRow row : structured) {
            if (row.system == s && Objects.equals(row.variant, variant)) {
                return row;
            }
        }
        return null;
    }

    private void measureFanIn(EchoSystem s, int n) throws Exception {
        try (ServerProcess server = ServerProcess.start(s, s.listenAddress(dir))) {
            // warm the server up on one connection before the baseline
            try (EchoClient one = s.connect(server.address)) {
                for (int i = 0; i < 2_000; i++) {
                    one.echoSmall();
                }
            }
            long rssBefore = server.rssKiB();
            List<EchoClient> clients = new ArrayList<>(n);
            long t0 = System.nanoTime();
            try {
                List<CompletableFuture<EchoClient>> pending = new ArrayList<>(n);
                ExecutorService connectors = Executors.newFixedThreadPool(16);
                for (int i = 0; i < n; i++) {
                    pending.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return s.connect(server.address);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, connectors));
                }
                for (CompletableFuture<EchoClient> f : pending) {
                    clients.add(f.get(5, TimeUnit.MINUTES));
                }
                connectors.shutdown();
                double connectSeconds = seconds(t0);
                long rssIdle = server.rssKiB();
                double perConnection = (double) (rssIdle - rssBefore) / n;
                double rate = fanInCalls(s, clients);
                fanInRows.add(new String[] {s.label, Integer.toString(n), String.format(Locale.ROOT, "%.2f", connectSeconds),
                    String.format(Locale.ROOT, "%.0f", rate), String.format(Locale.ROOT, "%.1f", perConnection), ""});
                progress.println(String.format(Locale.ROOT, "fan-in %s x%d: connected in %.2f s, %.0f calls/s, %.1f KiB RSS per connection",
                        s.label, n, connectSeconds, rate, perConnection));
            } finally {
                for (EchoClient c : clients) {
                    c.close();
                }
            }
        }
    }

    /**
     * Calls per second with every client calling: counted over a measured
     * window that opens once all clients are running (threads take a while
     * to start at 10,000 connections) and closes before any is stopped.
     */
    private static double fanInCalls(EchoSystem s, List<EchoClient> clients) throws Exception {
        LongAdder calls = new LongAdder();
        CountDownLatch stop = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        if (s.isRaw()) {
            for (EchoClient c : clients) {
                Thread t = new Thread(() -> RawEcho.fanInLoop((RawEcho.Client) c, stop, calls));
                t.start();
                threads.add(t);
            }
        } else {
            for (EchoClient c : clients) {
                keepCalling(c, running, calls);
            }
        }
        Thread.sleep(500); // all started and calling
        long before = calls.sum();
        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(2)); // the measuring window
        long counted = calls.sum() - before;
        double window = seconds(start);
        running.set(false);
        stop.countDown();
        if (s.isRaw()) {
            for (EchoClient c : clients) {
                c.close();
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(10)); // ends once its socket is closed
            }
        }
        return counted / window;
    }

    private static void keepCalling(EchoClient c, AtomicBoolean running, LongAdder calls) throws Exception {
        c.echoAsync(() -> {
            calls.increment();
            if (running.get()) {
                try {
                    keepCalling(c, running, calls);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private void report() {
        if (scenarios.contains(Scenario.LATENCY)) {
            System.out.printf("%nlatency: one connection, sequential 16-byte echo (microseconds; ratios of medians;"
                    + " x raw: against the raw floor of the same socket kind)%n");
            System.out.printf("%-14s %9s %9s %9s %9s %8s %8s%n", "system", "median", "p90", "p99", "p99.9", "x raw",
                    "x kaa");
            double kaaMedian = latencyMedian(EchoSystem.KAA_TCP);
            for (EchoSystem s : systems) {
                Histogram h = latency.get(s);
                double m = latencyMedian(s);
                System.out.printf(Locale.ROOT, "%-14s %9.1f %9.1f %9.1f %9.1f %8s %8s%n", s.label, m,
                        micros(h.getValueAtPercentile(90)), micros(h.getValueAtPercentile(99)),
                        micros(h.getValueAtPercentile(99.9)), ratio(m, latencyMedian(s.floor())), ratio(m, kaaMedian));
            }
        }
        if (scenarios.contains(Scenario.PIPELINED)) {
            System.out.printf("%npipelined: one connection, %d calls outstanding (calls/s, median of rounds; the raw"
                    + " floors batch: the writer flushes when its window is full, the server once its input is"
                    + " drained)%n", WINDOW);
            table(pipelined, "calls/s", "%.0f");
        }
        if (scenarios.contains(Scenario.BULK)) {
            System.out.printf("%nbulk: echo of a 1 MiB byte[] (MiB/s each way, median of rounds; LSP4J as base64"
                    + " text)%n");
            table(bulk, "MiB/s", "%.1f");
        }
        if (scenarios.contains(Scenario.STRUCTURED)) {
            System.out.printf("%nstructured: one connection, sequential echo of %d records of five fields (int, long,"
                    + " double, a 10-character String, a List of 3 ints) as each system carries them (microseconds;"
                    + " ratios of medians; x kaa: against kaa-rpc TCP records)%n",
                    StructuredPayload.COUNT);
            System.out.printf("%-20s %9s %9s %9s %8s %8s  %s%n", "system", "median", "p90", "p99", "x raw", "x kaa",
                    "what travels");
            StructuredRow kaa = structuredRow(EchoSystem.KAA_TCP, "records");
            for (StructuredRow row : structured) {
                double m = row.median();
                System.out.printf(Locale.ROOT, "%-20s %9.1f %9.1f %9.1f %8s %8s  %s%n", row.label(), m,
                        micros(row.latency.getValueAtPercentile(90)), micros(row.latency.getValueAtPercentile(99)),
                        ratio(m, structuredRow(row.system.floor(), null).median()),
                        ratio(m, kaa == null ? Double.NaN : kaa.median()), row.how);
            }
        }
        if (scenarios.contains(Scenario.SHARED)) {
            System.out.printf("%nshared: %d threads, each calling the 16-byte echo in turn, on one client they share"
                    + " (calls/s, median of rounds)%n", SHARING_THREADS);
            System.out.printf("  kaa-rpc one Client, gRPC one channel's blocking calls, LSP4J one proxy, RMI one stub"
                    + " (it opens a connection per concurrent call);%n  the raw floors one socket, a lock around each"
                    + " frame's write and flush, one reader thread handing each answer to its caller by seq%n");
            table(shared, "calls/s", "%.0f");
        }
        if (!fanInRows.isEmpty()) {
            System.out.printf("%nfan-in: N clients, each connected and calling, one call outstanding each%n");
            System.out.printf("%-14s %7s %12s %10s %16s  %s%n", "system", "N", "connect (s)", "calls/s",
                    "server RSS/conn", "");
            for (String[] row : fanInRows) {
                System.out.printf("%-14s %7s %12s %10s %13s KiB  %s%n", (Object[]) row);
            }
        }
        goals();
    }

    /** The median latency of {@code s} in microseconds; NaN if it did not run. */
    private double latencyMedian(EchoSystem s) {
        return systems.contains(s) ? micros(latency.get(s).getValueAtPercentile(50)) : Double.NaN;
    }

    /** The median of the rounds of {@code s}; NaN if it did not run. */
    private double median(Map<EchoSystem, List<Double>> results, EchoSystem s) {
        return systems.contains(s) ? median(results.get(s)) : Double.NaN;
    }

    /** {@code value / reference} as the tables show it: "-" when the reference did not run. */
    private static String ratio(double value, double reference) {
        return Double.isNaN(reference) ? "-" : String.format(Locale.ROOT, "%.2f", value / reference);
    }

    private void table(Map<EchoSystem, List<Double>> results, String unit, String format) {
        System.out.printf("%-14s %12s %8s %8s%n", "system", unit, "x raw", "x kaa");
        double kaa = median(results, EchoSystem.KAA_TCP);
        for (EchoSystem s : systems) {
            double v = median(results, s);
            System.out.printf(Locale.ROOT, "%-14s %12s %8s %8s%n", s.label, String.format(Locale.ROOT, format, v),
                    ratio(v, median(results, s.floor())), ratio(v, kaa));
        }
    }

    /** The goals whose figures this run has; none, and no heading, when it has none of them. */
    private void goals() {
        List<String> lines = new ArrayList<>();
        if (scenarios.contains(Scenario.LATENCY) && systems.contains(EchoSystem.KAA_TCP)) {
            double tcp = latencyMedian(EchoSystem.KAA_TCP);
            double rawTcp = latencyMedian(EchoSystem.RAW);
            lines.add(goal("TCP latency <= 1.3x raw TCP", tcp / rawTcp <= 1.3, "%.2fx", tcp / rawTcp));
            if (systems.contains(EchoSystem.RMI)) {
                double rmi = latencyMedian(EchoSystem.RMI);
                lines.add(goal("TCP latency below RMI's", tcp < rmi, "%.1f vs %.1f us", tcp, rmi));
            }
        }
        if (scenarios.contains(Scenario.LATENCY) && systems.contains(EchoSystem.KAA_UNIX)) {
            double unix = latencyMedian(EchoSystem.KAA_UNIX);
            double rawUnix = latencyMedian(EchoSystem.RAW_UNIX);
            lines.add(goal("Unix latency <= 1.5x raw Unix", unix / rawUnix <= 1.5, "%.2fx", unix / rawUnix));
        }
        if (scenarios.contains(Scenario.PIPELINED) && systems.contains(EchoSystem.KAA_TCP)) {
            double kaaRate = median(pipelined, EchoSystem.KAA_TCP);
            double rawRate = median(pipelined, EchoSystem.RAW);
            lines.add(goal("pipelined >= 40% of raw", kaaRate / rawRate >= 0.4, "%.0f%%", 100 * kaaRate / rawRate));
        }
        if (scenarios.contains(Scenario.BULK) && systems.contains(EchoSystem.KAA_TCP)) {
            double kaaBulk = median(bulk, EchoSystem.KAA_TCP);
            double rawBulk = median(bulk, EchoSystem.RAW);
            lines.add(goal("bulk >= 70% of raw", kaaBulk / rawBulk >= 0.7, "%.0f%%", 100 * kaaBulk / rawBulk));
        }
        if (scenarios.contains(Scenario.BULK) && systems.contains(EchoSystem.KAA_UNIX)) {
            double kaaBulk = median(bulk, EchoSystem.KAA_UNIX);
            double rawBulk = median(bulk, EchoSystem.RAW_UNIX);
            lines.add(goal("bulk over Unix >= 70% of raw Unix", kaaBulk / rawBulk >= 0.7, "%.0f%%",
                    100 * kaaBulk / rawBulk));
        }
        for (String[] row : fanInRows) {
            if (row[0].equals(EchoSystem.KAA_TCP.label) && row[1].equals("10000")) {
                double kib = Double.parseDouble(row[4]);
                lines.add(goal("10,000 connections at <= 16 KiB RSS each", kib <= 16, "%.1f KiB", kib));
            }
        }
        if (!lines.isEmpty()) {
            System.out.printf("%ngoals (kaa-rpc against the floors and RMI of this run)%n");
            lines.forEach(System.out::println);
        }
    }

    /** Every figure of the run, for tracking from run to run. */
    private void writeJson(Path file) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("{\n  \"java\": \"").append(System.getProperty("java.version"))
                .append("\",\n  \"cores\": ").append(Runtime.getRuntime().availableProcessors())
                .append(",\n  \"transport\": \"").append(IoBackend.get().name())
                .append("\",\n  \"rounds\": ").append(rounds);
        if (scenarios.contains(Scenario.LATENCY) || scenarios.contains(Scenario.PIPELINED)
                || scenarios.contains(Scenario.BULK) || scenarios.contains(Scenario.SHARED)) {
            b.append(",\n  \"systems\": {");
            String comma = "";
            for (EchoSystem s : systems) {
                List<String> figures = new ArrayList<>();
                if (scenarios.contains(Scenario.LATENCY)) {
                    figures.add("\"latency_us\": " + percentiles(latency.get(s), 50, 90, 99, 99.9, 99.99));
                }
                if (scenarios.contains(Scenario.PIPELINED)) {
                    figures.add("\"pipelined_calls_per_s\": " + number(median(pipelined, s)));
                }
                if (scenarios.contains(Scenario.BULK)) {
                    figures.add("\"bulk_mib_per_s\": " + number(median(bulk, s)));
                }
                if (scenarios.contains(Scenario.SHARED)) {
                    figures.add("\"shared_calls_per_s\": " + number(median(shared, s)));
                }
                b.append(comma).append("\n    \"").append(s.label).append("\": {")
                        .append(String.join(", ", figures)).append('}');
                comma = ",";
            }
            b.append("\n  }");
        }
        if (scenarios.contains(Scenario.STRUCTURED)) {
            b.append(",\n  \"structured\": [");
            String comma = "";
            for (StructuredRow row : structured) {
                b.append(comma).append("\n    {\"system\": \"").append(row.system.label).append('"');
                if (row.variant != null) {
                    b.append(", \"variant\": \"").append(row.variant).append('"');
                }
                b.append(", \"latency_us\": ").append(percentiles(row.latency, 50, 90, 99)).append('}');
                comma = ",";
            }
            b.append("\n  ]");
        }
        b.append(",\n  \"fan_in\": [");
        String comma = "";
        for (String[] row : fanInRows) {
            b.append(comma).append("\n    {\"system\": \"").append(row[0]).append("\", \"clients\": ").append(row[1]);
            if (!row[3].equals("-")) {
                b.append(", \"connect_s\": ").append(row[2]).append(", \"calls_per_s\": ").append(row[3])
                        .append(", \"server_rss_kib_per_connection\": ").append(row[4]);
            } else {
                b.append(", \"skipped\": \"").append(row[5]).append('"');
            }
            b.append('}');
            comma = ",";
        }
        b.append("\n  ]\n}\n");
        Files.writeString(file, b.toString());
    }

    /** {@code {"50": ..., "90": ...}}: the latencies at those percentiles, in microseconds. */
    private static String percentiles(Histogram h, double... percentiles) {
        List<String> values = new ArrayList<>();
        for (double p : percentiles) {
            values.add('"' + (p == (long) p ? Long.toString((long) p) : Double.toString(p)) + "\": "
                    + number(micros(h.getValueAtPercentile(p))));
        }
        return "{" + String.join(", ", values) + "}";
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String goal(String what, boolean met, String format, Object... args) {
        return String.format(Locale.ROOT, "  %-42s %-8s %s", what, met ? "met" : "NOT met",
                String.format(Locale.ROOT, format, args));
    }

    private static double micros(long nanos) {
        return nanos / 1e3;
    }

    /** A server JVM of one system, ended by closing its standard input. */
    static final class ServerProcess implements AutoCloseable {
        final Process process;
        final String address;

        private ServerProcess(Process process, String address) {
            this.process = process;
            this.address = address;
        }

        static ServerProcess start(EchoSystem system, String listen) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(SERVER_JVM_FLAGS);
            String transport = System.getProperty(TRANSPORT);
            if (transport != null) {
                command.add("-D" + TRANSPORT + "=" + transport);
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchServer.class.getName(),
                    system.name(), listen));
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            // on a thread of its own, so that a server hanging before READY cannot hang the harness
            FutureTask<String> firstLine = new FutureTask<>(out::readLine);
            Thread reading = new Thread(firstLine, "bench-server-ready");
            reading.setDaemon(true);
            reading.start();
            String ready;
            try {
                ready = firstLine.get(1, TimeUnit.MINUTES);
            } catch (ExecutionException | TimeoutException e) {
                ready = "no READY line (" + e + ")";
            }
            if (ready == null || !ready.startsWith("READY ")) {
                p.destroyForcibly();
                throw new IOException(system + " server did not start: " + ready);
            }
            return new ServerProcess(p, ready.substring(6));
        }

        long rssKiB() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            throw new IOException("no VmRSS for " + process.pid());
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * A line on the terminal that says what runs now, rewritten in place; to
     * a file or a pipe only the lasting lines go.
     */
    static final class Progress {
        private final boolean terminal = System.console() != null;
        private int shown;

        void show(String what) {
            if (terminal) {
                String line = what.length() > 78 ? what.substring(0, 78) : what;
                System.err.print("\r" + line + " ".repeat(Math.max(0, shown - line.length())));
                System.err.flush();
                shown = line.length();
            }
        }

        void println(String line) {
            done();
            System.out.println(line);
        }

        void done() {
            if (terminal && shown > 0) {
                System.err.print("\r" + " ".repeat(shown) + "\r");
                System.err.flush();
                shown = 0;
            }
        }
    }
}
