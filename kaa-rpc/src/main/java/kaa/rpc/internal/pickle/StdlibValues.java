package kaa.rpc.internal.pickle;

import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAccessor;
import java.util.UUID;
import java.util.function.Function;
import kaa.rpc.internal.value.PyObject;
import kaa.rpc.internal.value.Repr;

/**
 * Python's {@code datetime} values and {@code uuid.UUID} as {@code java.time}
 * types and {@link UUID}, both ways, in the form Python's own pickle uses
 * (the packed bytes of {@code date.__reduce__} and its kin), so that neither
 * side needs anything but its standard library:
 *
 * <pre>
 * datetime.date                        LocalDate
 * datetime.time (naive / with offset)  LocalTime / OffsetTime
 * datetime.datetime (naive / offset)   LocalDateTime / OffsetDateTime
 *                                      (sent from Instant as UTC, ZonedDateTime with its offset)
 * datetime.timedelta                   Duration (to the microsecond)
 * datetime.timezone                    ZoneOffset
 * uuid.UUID                            UUID
 * </pre>
 *
 * What {@code java.time} cannot hold exactly stays the Python object it was,
 * and goes back as it came: a {@code timezone} with a name, with an offset
 * beyond ±18 hours (Python allows up to ±24) or of a fraction of a second,
 * and a {@code time} or {@code datetime} with {@code fold=1} or with such a
 * zone. What Python itself would refuse (year 0, month 13, a float in a
 * {@code timedelta}) is refused on reading.
 */
final class StdlibValues {

    private StdlibValues() {
    }

    /** Whether {@link #reduce} writes {@code value}. */
    static boolean handles(Object value) {
        return value instanceof TemporalAccessor || value instanceof Duration;
    }

    // ---- reading -------------------------------------------------------------------------------------

    /** A {@code datetime.date(packed)} from a pickle. */
    static LocalDate date(Object[] args) {
        byte[] b = packed(args, 4, "date");
        try {
            return LocalDate.of(year(b, "date"), b[2] & 0xff, b[3] & 0xff); // a date has no fold bit
        } catch (DateTimeException e) {
            throw new PickleFormatException("date(): " + e.getMessage());
        }
    }

    /**
     * A {@code datetime.time(packed[, tzinfo])}: LocalTime, OffsetTime, or
     * null when java.time cannot hold it (fold=1, or a zone that is not a ZoneOffset).
     */
    static Object time(Object[] args) {
        byte[] b = packed(args, 6, "time");
        LocalTime t;
        try {
            t = LocalTime.of(b[0] & 0x7f, b[1] & 0xff, b[2] & 0xff, micros(b, 3, "time") * 1000);
        } catch (DateTimeException e) {
            throw new PickleFormatException("time(): " + e.getMessage());
        }
        return (b[0] & 0x80) != 0 ? null : withZone(args, t, t::atOffset); // fold=1 (pickle protocol 4)
    }

    /** A {@code datetime.datetime(packed[, tzinfo])}: LocalDateTime, OffsetDateTime, or null (see time). */
    static Object dateTime(Object[] args) {
        byte[] b = packed(args, 10, "datetime");
        LocalDateTime t;
        try {
            t = LocalDateTime.of(year(b, "datetime"), b[2] & 0x7f, b[3] & 0xff, b[4] & 0xff, b[5] & 0xff,
                    b[6] & 0xff, micros(b, 7, "datetime") * 1000);
        } catch (DateTimeException e) {
            throw new PickleFormatException("datetime(): " + e.getMessage());
        }
        return (b[2] & 0x80) != 0 ? null : withZone(args, t, t::atOffset); // fold=1 (pickle protocol 4)
    }

    /** The year of packed date bytes, refused outside Python's 1..9999 (java.time would take year 0). */
    private static int year(byte[] b, String what) {
        int y = (b[0] & 0xff) << 8 | b[1] & 0xff;
        if (y < 1 || y > 9999) {
            throw new PickleFormatException(what + "(): year " + y + " is out of range (Python's run from 1 to 9999)");
        }
        return y;
    }

    /** Python's largest timedelta, in days either way. */
    private static final long MAX_DAYS = 999_999_999;

    /**
     * {@code datetime.timedelta(days, seconds, microseconds)}: integers, as
     * Python pickles them (a float, which Python's constructor would take as
     * a fraction of a day, is refused rather than cut), summed exactly.
     */
    static Duration timeDelta(Object[] args) {
        if (args.length != 3) {
            throw new PickleFormatException("timedelta() takes days, seconds and microseconds");
        }
        for (Object a : args) {
            if (!(a instanceof Integer || a instanceof Long || a instanceof BigInteger)) {
                throw new PickleFormatException("timedelta() takes integer days, seconds and microseconds, got "
                        + Repr.describeValue(a));
            }
        }
        Duration d;
        try {
            d = Duration.ofDays(exactLong(args[0])).plusSeconds(exactLong(args[1]))
                    .plusNanos(Math.multiplyExact(exactLong(args[2]), 1000L));
        } catch (ArithmeticException e) {
            d = null;
        }
        if (d == null || Math.abs(Math.floorDiv(d.getSeconds(), 86_400)) > MAX_DAYS) {
            throw new PickleFormatException("timedelta() beyond Python's range (" + MAX_DAYS + " days either way)");
        }
        return d;
    }

    private static long exactLong(Object n) {
        return n instanceof BigInteger ? ((BigInteger) n).longValueExact() : ((Number) n).longValue();
    }

    /**
     * {@code datetime.timezone(offset[, name])}: a ZoneOffset when it is one
     * exactly (no name, whole seconds, within ±18 hours); else, as Python
     * allows offsets up to ±24 hours, of microseconds, and names, the Python
     * object it is, passed on as it came.
     */
    static Object timeZone(Object[] args) {
        if (args.length < 1 || args.length > 2 || !(args[0] instanceof Duration)
                || args.length == 2 && !(args[1] instanceof String)) {
            throw new PickleFormatException("timezone() takes a timedelta and an optional name");
        }
        Duration d = (Duration) args[0];
        if (d.abs().compareTo(Duration.ofHours(24)) >= 0) {
            throw new PickleFormatException("timezone(): the offset must be strictly within 24 hours, got " + d);
        }
        if (args.length == 2 || d.getNano() != 0 || Math.abs(d.getSeconds()) > 18 * 3600) {
            return new PyObject("datetime", "timezone", args);
        }
        return ZoneOffset.ofTotalSeconds((int) d.getSeconds());
    }

    /** The UUID a {@code uuid.UUID} object's state describes, or null when it is not one. */
    static UUID uuid(PyObject object) {
        Object value = object.state().get("int");
        if (!(value instanceof Number) || value instanceof Double) {
            return null;
        }
        BigInteger n = value instanceof BigInteger ? (BigInteger) value : BigInteger.valueOf(((Number) value).longValue());
        if (n.signum() < 0 || n.bitLength() > 128) {
            throw new PickleFormatException("UUID int out of range");
        }
        return new UUID(n.shiftRight(64).longValue(), n.longValue());
    }

    private static <T> Object withZone(Object[] args, T naive, Function<ZoneOffset, Object> at) {
        if (args.length == 1 || args[1] == null) {
            return naive;
        }
        return args[1] instanceof ZoneOffset ? at.apply((ZoneOffset) args[1]) : null;
    }

    private static byte[] packed(Object[] args, int size, String what) {
        Object first = args.length >= 1 && args.length <= 2 ? args[0] : null;
        byte[] b = null;
        if (first instanceof byte[]) {
            b = (byte[]) first;
        } else if (first instanceof String) { // Python 2 pickles its str
            String s = (String) first;
            b = new byte[s.length()];
            for (int i = 0; i < b.length; i++) {
                char c = s.charAt(i);
                if (c > 0xff) {
                    b = null;
                    break;
                }
                b[i] = (byte) c;
            }
        }
        if (b == null || b.length != size) {
            throw new PickleFormatException(what + "() takes its " + size + " packed bytes");
        }
        return b;
    }

    /** The microseconds of packed bytes, refused beyond 999,999 (before an int of nanoseconds overflows). */
    private static int micros(byte[] b, int at, String what) {
        int us = (b[at] & 0xff) << 16 | (b[at + 1] & 0xff) << 8 | b[at + 2] & 0xff;
        if (us > 999_999) {
            throw new PickleFormatException(what + "(): microsecond " + us + " is out of range (0 to 999999)");
        }
        return us;
    }

    // ---- writing -------------------------------------------------------------------------------------

    /**
     * What to call to rebuild {@code value} in Python: {@code {module, name}}
     * and the arguments, the packed bytes as {@code byte[]}.
     *
     * @throws IllegalArgumentException for a value Python cannot hold (a year
     *     outside 1..9999) or a type without a counterpart
     */
    static Object[] reduce(Object value) {
        if (value instanceof LocalDate) {
            return call("date", date((LocalDate) value));
        }
        if (value instanceof LocalTime) {
            return call("time", time((LocalTime) value));
        }
        if (value instanceof OffsetTime) {
            OffsetTime t = (OffsetTime) value;
            return call("time", time(t.toLocalTime()), t.getOffset());
        }
        if (value instanceof LocalDateTime) {
            return call("datetime", dateTime((LocalDateTime) value));
        }
        if (value instanceof OffsetDateTime) {
            OffsetDateTime t = (OffsetDateTime) value;
            return call("datetime", dateTime(t.toLocalDateTime()), t.getOffset());
        }
        if (value instanceof ZonedDateTime) {
            ZonedDateTime t = (ZonedDateTime) value;
            return call("datetime", dateTime(t.toLocalDateTime()), t.getOffset());
        }
        if (value instanceof Instant) {
            return call("datetime", dateTime(LocalDateTime.ofInstant((Instant) value, ZoneOffset.UTC)), ZoneOffset.UTC);
        }
        if (value instanceof Duration) {
            Duration d = (Duration) value;
            long days = Math.floorDiv(d.getSeconds(), 86_400);
            if (Math.abs(days) > 999_999_999) {
                throw new IllegalArgumentException("cannot send " + d + ": beyond timedelta's range");
            }
            return call("timedelta", days, (int) Math.floorMod(d.getSeconds(), 86_400), d.getNano() / 1000);
        }
        if (value instanceof ZoneOffset) {
            return call("timezone", Duration.ofSeconds(((ZoneOffset) value).getTotalSeconds()));
        }
        throw new IllegalArgumentException("cannot send a " + Repr.className(value.getClass(), true)
                + ": java.time values go as LocalDate, LocalTime, LocalDateTime, OffsetTime, OffsetDateTime, "
                + "ZonedDateTime, Instant, Duration or ZoneOffset");
    }

    private static Object[] call(String name, Object... args) {
        return new Object[] {name, args};
    }

    private static byte[] date(LocalDate d) {
        int y = year(d.getYear());
        return new byte[] {(byte) (y >> 8), (byte) y, (byte) d.getMonthValue(), (byte) d.getDayOfMonth()};
    }

    private static byte[] time(LocalTime t) {
        int us = t.getNano() / 1000;
        return new byte[] {(byte) t.getHour(), (byte) t.getMinute(), (byte) t.getSecond(), (byte) (us >> 16),
            (byte) (us >> 8), (byte) us};
    }

    private static byte[] dateTime(LocalDateTime t) {
        byte[] d = date(t.toLocalDate());
        byte[] c = time(t.toLocalTime());
        return new byte[] {d[0], d[1], d[2], d[3], c[0], c[1], c[2], c[3], c[4], c[5]};
    }

    private static int year(int y) {
        if (y < 1 || y > 9999) {
            throw new IllegalArgumentException("cannot send year " + y + ": Python's dates run from 1 to 9999");
        }
        return y;
    }
}
