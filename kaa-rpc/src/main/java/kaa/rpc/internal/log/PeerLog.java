package kaa.rpc.internal.log;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.MessageFormatter;

/**
 * A log line that a peer can cause, counted and rate-limited: the first is
 * written, then at most one per interval, saying how many like it were
 * suppressed since the last one written. A peer that repeats what causes it
 * (bad packets, wrong secrets, refused values) gets one line a second, not
 * one per packet. A {@link Throwable} among the arguments is written as its
 * class and message, never as a stack trace: the peer caused it, and its
 * trace says nothing about our code.
 *
 * <p>Make one per kind of event, as a constant:
 * {@code static final PeerLog WRONG_SECRET = PeerLog.warn(MyClass.class, "wrong secret");}
 */
public final class PeerLog {

    /** How often a line of one kind may be written. */
    public static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How much of a Throwable's message is written. */
    private static final int MAX_THROWABLE_TEXT = 300;

    enum Level { DEBUG, INFO, WARN }

    /** Where the lines go: the logger, or a test's collector. */
    @FunctionalInterface
    interface Sink {
        void write(Level level, String line);
    }

    private final String kind;
    private final Level level;
    private final Sink sink;
    private final long intervalNanos;
    private final LongSupplier clock;
    /** Events of this kind ever seen. */
    private final AtomicLong seen = new AtomicLong();
    /** Events seen and not written since the last line written. */
    private final AtomicLong suppressed = new AtomicLong();
    /** When the next line may be written ({@code clock} time); Long.MIN_VALUE: at once. */
    private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);

    PeerLog(String kind, Level level, Sink sink, long intervalNanos, LongSupplier clock) {
        this.kind = kind;
        this.level = level;
        this.sink = sink;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
    }

    /** Warnings of one kind, to {@code owner}'s logger. */
    public static PeerLog warn(Class<?> owner, String kind) {
        return new PeerLog(kind, Level.WARN, to(LoggerFactory.getLogger(owner)), DEFAULT_INTERVAL_NANOS,
                System::nanoTime);
    }

    /** Information of one kind, to {@code owner}'s logger. */
    public static PeerLog info(Class<?> owner, String kind) {
        return new PeerLog(kind, Level.INFO, to(LoggerFactory.getLogger(owner)), DEFAULT_INTERVAL_NANOS,
                System::nanoTime);
    }

    /** Debugging lines of one kind, to {@code owner}'s logger. */
    public static PeerLog debug(Class<?> owner, String kind) {
        return new PeerLog(kind, Level.DEBUG, to(LoggerFactory.getLogger(owner)), DEFAULT_INTERVAL_NANOS,
                System::nanoTime);
    }

    private static Sink to(Logger log) {
        return (level, line) -> {
            switch (level) {
                case WARN -> log.warn(line);
                case INFO -> log.info(line);
                default -> log.debug(line);
            }
        };
    }

    /**
     * Counts one event, and writes it (an SLF4J format with {@code {}}) unless
     * one of its kind was written less than an interval ago.
     */
    public void log(String format, Object... args) {
        seen.incrementAndGet();
        long now = clock.getAsLong();
        long next = nextAllowed.get();
        if ((next != Long.MIN_VALUE && now - next < 0) || !nextAllowed.compareAndSet(next, now + intervalNanos)) {
            suppressed.incrementAndGet(); // another thread writes this interval's line, or it was written
            return;
        }
        long before = suppressed.getAndSet(0);
        // a Throwable left over after the placeholders is SLF4J's exception argument: one line of it instead
        Throwable extra = MessageFormatter.getThrowableCandidate(args);
        Object[] shown = extra != null && MessageFormatter.arrayFormat(format, args).getThrowable() != null
                ? Arrays.copyOf(args, args.length - 1) : args;
        String line = MessageFormatter.arrayFormat(format, plain(shown)).getMessage();
        if (shown != args) {
            line += ": " + describe(extra);
        }
        if (before > 0) {
            line += " (" + before + " similar suppressed)";
        }
        sink.write(level, line);
    }

    /** How many events of this kind there have been, written or not. */
    public long count() {
        return seen.get();
    }

    @Override
    public String toString() {
        return "PeerLog[" + kind + ", " + seen.get() + " seen]";
    }

    /**
     * Throwables as text, so that no formatter prints a stack trace; and
     * every text on one line, as a peer may have chosen it (a message, a
     * command name) and must not start log lines of its own.
     */
    private static Object[] plain(Object[] args) {
        Object[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] instanceof Throwable t) {
                out[i] = describe(t);
            } else if (out[i] instanceof CharSequence text) {
                out[i] = oneLine(text.toString());
            }
        }
        return out;
    }

    /** A peer-caused failure in one line: its class and message, cut short. */
    public static String describe(Throwable t) {
        String text = t.toString();
        if (text.length() > MAX_THROWABLE_TEXT) {
            text = text.substring(0, MAX_THROWABLE_TEXT) + "...";
        }
        return oneLine(text);
    }

    /** Whether {@code c} could break a line where it is written: a control character, a line or paragraph separator. */
    public static boolean breaksLine(char c) {
        return Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                || Character.getType(c) == Character.PARAGRAPH_SEPARATOR;
    }

    /** {@code text} with every character that {@linkplain #breaksLine breaks a line} as a space. */
    public static String oneLine(String text) {
        StringBuilder line = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean breaks = breaksLine(c);
            if (breaks && line == null) {
                line = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (line != null) {
                line.append(breaks ? ' ' : c);
            }
        }
        return line == null ? text : line.toString();
    }
}
