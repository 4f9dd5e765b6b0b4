package kaa.rpc.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What a peer can make us log is counted and limited: one line per interval and kind, no stack traces. */
class PeerLogTest {

    private final AtomicLong clock = new AtomicLong(1_000);
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final PeerLog log = new PeerLog("bad packet", PeerLog.Level.WARN, (level, line) -> lines.add(line),
            100, clock::get);

    @Test
    void aFloodIsOneLineAnIntervalWithTheCountSuppressed() {
        for (int i = 0; i < 100_000; i++) {
            log.log("ignoring packet {} from {}", i, "peer");
        }
        assertThat(lines).containsExactly("ignoring packet 0 from peer");
        clock.addAndGet(99);
        log.log("ignoring packet {} from {}", "late", "peer");
        assertThat(lines).hasSize(1);
        clock.addAndGet(1);
        log.log("ignoring packet {} from {}", "next", "peer");
        assertThat(lines).containsExactly("ignoring packet 0 from peer",
                "ignoring packet next from peer (100000 similar suppressed)");
        assertThat(log.count()).isEqualTo(100_002);
    }

    @Test
    void aQuietPeerIsLoggedEveryTime() {
        for (int i = 0; i < 3; i++) {
            log.log("event {}", i);
            clock.addAndGet(100);
        }
        assertThat(lines).containsExactly("event 0", "event 1", "event 2");
    }

    @Test
    void aThrowableIsOneLineNeverATrace() {
        Exception e = new IllegalArgumentException("refused\nPython object " + "x".repeat(1000));
        log.log("the result of '{}' cannot be sent", "echo", e);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("the result of 'echo' cannot be sent: java.lang.IllegalArgumentException: "
                + "refused Python object").doesNotContain("\n").doesNotContain("\tat ").hasSizeLessThan(400);
    }

    @Test
    void aPeersTextIsOneLine() {
        log.log("unknown command {} from {}", "x\n[main] ERROR forged\r\u2028line", 7);
        assertThat(lines).containsExactly("unknown command x [main] ERROR forged  line from 7");
    }

    @Test
    void kindsAreLimitedApart() {
        PeerLog other = new PeerLog("wrong secret", PeerLog.Level.WARN, (level, line) -> lines.add(line), 100,
                clock::get);
        log.log("a");
        log.log("a");
        other.log("b");
        assertThat(lines).containsExactly("a", "b");
    }
}
