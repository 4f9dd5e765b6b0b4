package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** java.time values and UUIDs as Python's datetime and uuid values, against Python's own pickle. */
class TimeValuesTest {

    @TempDir
    Path dir;

    public static class Dates {
        @Expose
        public LocalDate nextDay(LocalDate d) {
            return d.plusDays(1);
        }

        @Expose
        public Instant later(Instant t, Duration by) {
            return t.plus(by);
        }

        @Expose
        public String version(UUID id) {
            return "v" + id.version();
        }
    }

    record Holder(Object owner) {
    }

    public record Stamped(String name, LocalDate day, Instant at, UUID id) {
    }

    /** A typed view of the same values: a proxy converts each result as rpc(type, ...) does. */
    public interface Calendar {
        @Expose
        LocalDate day();

        @Expose
        LocalDateTime local();

        @Expose
        OffsetDateTime aware();

        @Expose
        Instant instant();

        @Expose
        Duration span();

        @Expose
        UUID id();

        @Expose
        Stamped stamped();

        @Expose
        List<LocalDate> days();
    }

    static final LocalDate DAY = LocalDate.of(2026, 11, 30);
    static final LocalDateTime LOCAL = LocalDateTime.of(2026, 11, 30, 23, 59, 58, 123_456_000);
    static final OffsetDateTime AWARE = OffsetDateTime.of(LOCAL, ZoneOffset.ofHours(2));
    static final UUID ID = UUID.fromString("1b4e28ba-2fa1-11d2-883f-0016d3cca427");

    public static class CalendarImpl implements Calendar {
        @Override
        public LocalDate day() {
            return DAY;
        }

        @Override
        public LocalDateTime local() {
            return LOCAL;
        }

        @Override
        public OffsetDateTime aware() {
            return AWARE;
        }

        @Override
        public Instant instant() {
            return AWARE.toInstant();
        }

        @Override
        public Duration span() {
            return Duration.ofDays(-3).plusSeconds(7).plusNanos(5_000);
        }

        @Override
        public UUID id() {
            return ID;
        }

        @Override
        public Stamped stamped() {
            return new Stamped("x", DAY, AWARE.toInstant(), ID);
        }

        @Override
        public List<LocalDate> days() {
            return List.of(DAY, DAY.plusDays(1));
        }
    }

    public static class Unsendable {
        @Expose
        public List<Object> counted() {
            return List.of(1, new AtomicLong(5));
        }
    }

    @Test
    void javaTimeValuesAreRealPythonValues() throws Exception {
        try (PythonPeer python = PythonPeer.start(dir, "serve", "127.0.0.1:0", "s")) {
            String ready = python.readLine();
            try (Client client = Client.connect(ready.substring(6), "s")) {
                LocalDate date = LocalDate.of(2026, 11, 30);
                LocalTime time = LocalTime.of(23, 59, 58, 123_456_000);
                LocalDateTime dateTime = LocalDateTime.of(date, time);
                OffsetDateTime aware = OffsetDateTime.of(dateTime, ZoneOffset.ofHoursMinutes(2, 30));
                OffsetTime awareTime = OffsetTime.of(time, ZoneOffset.ofHours(-5));
                Duration duration = Duration.ofDays(-3).plusSeconds(7).plusNanos(5_000);
                UUID uuid = UUID.fromString("1b4e28ba-2fa1-11d2-883f-0016d3cca427");
                for (Object v : List.of(date, time, dateTime, aware, awareTime, duration, uuid, ZoneOffset.UTC)) {
                    assertThat(await(client.rpc("echo", v))).as("echo of %s", v).isEqualTo(v);
                }
                // Python computes with them: datetime + timedelta
                assertThat(await(client.rpc("add", dateTime, Duration.ofHours(1)))).isEqualTo(dateTime.plusHours(1));
                // an Instant goes as a UTC datetime, a ZonedDateTime with its offset
                Instant instant = Instant.parse("2026-11-30T10:15:30.000001Z");
                assertThat(await(client.rpc("echo", instant))).isEqualTo(instant.atOffset(ZoneOffset.UTC));
                assertThat(await(client.rpc(Instant.class, "echo", instant))).isEqualTo(instant);
                ZonedDateTime zoned = dateTime.atZone(ZoneId.of("Europe/Berlin"));
                assertThat(await(client.rpc(ZonedDateTime.class, "echo", zoned)).toInstant())
                        .isEqualTo(zoned.toInstant());
                // shared: written once, read back as the same object through Python's memo
                @SuppressWarnings("unchecked")
                List<Object> twice = (List<Object>) await(client.rpc("echo", List.of(uuid, uuid, date, date)));
                assertThat(twice).containsExactly(uuid, uuid, date, date);
                assertThat(twice.get(0)).isSameAs(twice.get(1));
                // what Python cannot hold is refused before it is sent
                assertThat(failure(client.rpc("echo", LocalDate.of(10_000, 1, 1))))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("Python's dates run from 1 to 9999");
            }
        }
    }

    @Test
    void pythonDatetimeValuesArriveAsJavaTime() throws Exception {
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "s").register(new Dates())) {
            List<String> lines = PythonPeer.run(dir, "call", server.address(), "s", "nextDay",
                    "datetime.date(2026, 12, 31)");
            assertThat(lines).contains("nextDay datetime.date(2027, 1, 1)");
            lines = PythonPeer.run(dir, "call", server.address(), "s", "later",
                    "datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)",
                    "datetime.timedelta(days=1, microseconds=5)");
            assertThat(lines).contains(
                    "later datetime.datetime(2026, 1, 2, 12, 0, 0, 5, tzinfo=datetime.timezone.utc)");
            lines = PythonPeer.run(dir, "call", server.address(), "s", "version",
                    "uuid.UUID('1b4e28ba-2fa1-11d2-883f-0016d3cca427')");
            assertThat(lines).contains("version 'v1'");
        }
    }

    @Test
    void aProxyReturnsJavaTimeValuesAndUuids() throws Exception {
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "s").register(new CalendarImpl());
                Client client = Peers.client(server, "s")) {
            Calendar calendar = client.proxy(Calendar.class);
            assertThat(calendar.day()).isEqualTo(DAY);
            assertThat(calendar.local()).isEqualTo(LOCAL);
            assertThat(calendar.aware()).isEqualTo(AWARE);
            assertThat(calendar.instant()).isEqualTo(AWARE.toInstant());
            assertThat(calendar.span()).isEqualTo(Duration.ofDays(-3).plusSeconds(7).plusNanos(5_000));
            assertThat(calendar.id()).isEqualTo(ID);
            assertThat(calendar.stamped()).isEqualTo(new Stamped("x", DAY, AWARE.toInstant(), ID));
            assertThat(calendar.days()).containsExactly(DAY, DAY.plusDays(1));
        }
    }

    @Test
    void anUnsendableNumberInAResultIsNamedByItsPlace() throws Exception {
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "s").register(new Unsendable());
                Client client = Peers.client(server, "s")) {
            Throwable refused = failure(client.rpc("counted"));
            assertThat(refused).isInstanceOf(RemoteException.class).hasMessageContaining("TypeError")
                    .hasMessageContaining("the result of counted() cannot be sent: result[1]: cannot send "
                            + "java.util.concurrent.atomic.AtomicLong: it is not a value type");
        }
    }

    @Test
    void aPartThatIsNoValueIsNamedByItsPlace() throws Exception {
        try (Server server = Peers.server(Peers.Transport.TCP, dir, "s");
                Client client = Peers.client(server, "s")) {
            Throwable refused = failure(client.rpc("echo", "ok", List.of(new Holder(new Thread(() -> { })))));
            assertThat(refused).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("args[1][0].owner: cannot send java.lang.Thread: it is not a value type");
            Throwable path = failure(client.rpc("echo", Kwargs.of("where", Path.of("/tmp"))));
            assertThat(path).hasMessageContaining("kwargs['where']: cannot send sun.nio.fs.UnixPath");
        }
    }
}
