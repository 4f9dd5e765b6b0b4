package kaa.rpc.internal.handshake;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import kaa.rpc.internal.frame.Dialect;

/**
 * The arithmetic of the kaa.rpc shared-secret handshake: payloads are
 * {@code challenge(20) || response(20) || salt(20)}, and the answer to a
 * challenge is HMAC-SHA1 keyed with {@code secret || salt}.
 */
public final class Handshake {

    public static final int FIELD = 20;
    public static final int PAYLOAD = 3 * FIELD;
    private static final byte[] ZERO = new byte[FIELD];
    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake() {
    }

    /** HMAC-SHA1 with key {@code secret || salt} over {@code challenge}. */
    public static byte[] answer(byte[] secret, byte[] challenge, byte[] salt) {
        byte[] key = Arrays.copyOf(secret, secret.length + salt.length);
        System.arraycopy(salt, 0, key, secret.length, salt.length);
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            return mac.doFinal(challenge);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available in this JVM", e);
        }
    }

    /** Checks an answer in time independent of where it differs. */
    public static boolean verify(byte[] secret, byte[] challenge, byte[] salt, byte[] response) {
        return MessageDigest.isEqual(answer(secret, challenge, salt), response);
    }

    /**
     * What is answered when {@code asked} is to be answered and {@code other}
     * is the other challenge of the same handshake: between two peers of this
     * library (both challenges marked, version 3 or later) both challenges,
     * the one asked first, so that an answer commits to the pair and a
     * challenge cannot be swapped or dropped on its way; with any other peer,
     * the asked challenge alone, as the original protocol has it.
     */
    public static byte[] answered(byte[] asked, byte[] other) {
        if (other == null || !binds(asked) || !binds(other)) {
            return asked;
        }
        byte[] both = Arrays.copyOf(asked, 2 * FIELD);
        System.arraycopy(other, 0, both, FIELD, FIELD);
        return both;
    }

    /** Whether a challenge is ours from the version that answers both challenges of a handshake. */
    static boolean binds(byte[] challenge) {
        return isJavaPeer(challenge) && challenge[JAVA_MARKER.length] >= 3
                && (challenge[ROLE] == SERVER || challenge[ROLE] == CLIENT);
    }

    /**
     * Our challenges start with this marker and a version, then (from version
     * 2) the role of who issued it, {@code S} or {@code C}, then 15 random
     * bytes: a peer that sees it knows the other side is this library and may
     * use shortcuts no Python peer reads, and a client can tell a challenge a
     * client issued, which no honest server sends. From version 3, when both
     * challenges of a handshake are so marked, each answer covers both
     * ({@link #answered}); from version 4 it reads CALH. A Python peer's random challenge starts so by
     * chance once in 2^32 connections.
     */
    private static final byte[] JAVA_MARKER = {'k', 'a', 'J'};
    static final byte JAVA_VERSION = 4;
    /** The first version that reads CALH, a call with headers. */
    private static final byte HEADERS_VERSION = 4;
    private static final int ROLE = 4;
    private static final byte SERVER = 'S';
    private static final byte CLIENT = 'C';

    /**
     * The challenges this process's clients have issued and not yet seen
     * answered: a server may not have another of our clients answer one.
     * (A server's challenges are not kept: a client of this process answers
     * them when it connects to that server, which is no attack.)
     */
    private static final Set<ByteBuffer> IN_FLIGHT =
            ConcurrentHashMap.newKeySet();

    /** 20 unpredictable bytes, for a salt, or a challenge of a peer that does not mark its own. */
    public static byte[] random() {
        byte[] b = new byte[FIELD];
        RANDOM.nextBytes(b);
        return b;
    }

    /** A client's challenge, not remembered: for tests that play a peer. */
    public static byte[] challenge() {
        return marked(false);
    }

    /** A challenge of a server, or of a client (remembered as in flight until {@link #settled}). */
    static byte[] challenge(boolean server) {
        byte[] b = marked(server);
        if (!server) {
            IN_FLIGHT.add(ByteBuffer.wrap(b.clone()));
        }
        return b;
    }

    /** The marker of this library, its version and the role, and 15 unpredictable bytes. */
    private static byte[] marked(boolean server) {
        byte[] b = random();
        System.arraycopy(JAVA_MARKER, 0, b, 0, JAVA_MARKER.length);
        b[JAVA_MARKER.length] = JAVA_VERSION;
        b[ROLE] = server ? SERVER : CLIENT;
        return b;
    }

    /** The handshake that issued {@code challenge} is over. */
    static void settled(byte[] challenge) {
        if (challenge != null) {
            IN_FLIGHT.remove(ByteBuffer.wrap(challenge));
        }
    }

    /**
     * Why a client must not answer a server's challenge, or null if it may: a
     * client issued it (a fake server relays one client's challenge to
     * another, to pass the first client's check with the second's answer), or
     * one of this process's clients is waiting on it. Python peers' challenges
     * are random, and always answered.
     */
    static String refusal(byte[] challenge) {
        if (IN_FLIGHT.contains(ByteBuffer.wrap(challenge))) {
            return "it is a challenge one of our own clients issued (reflected back to us)";
        }
        if (isJavaPeer(challenge) && challenge[JAVA_MARKER.length] >= 2 && challenge[ROLE] == CLIENT) {
            return "it is a challenge a client issued, which no server sends (relayed from another client)";
        }
        return null;
    }

    /** The dialect of the peer whose handshake challenge is {@code challenge}. */
    public static Dialect dialectOf(byte[] challenge) {
        return !isJavaPeer(challenge) ? Dialect.PYTHON
                : challenge[JAVA_MARKER.length] >= HEADERS_VERSION ? Dialect.JAVA : Dialect.JAVA_WITHOUT_HEADERS;
    }

    /** Whether a peer's challenge carries the marker of this library. */
    public static boolean isJavaPeer(byte[] challenge) {
        return challenge[0] == JAVA_MARKER[0] && challenge[1] == JAVA_MARKER[1] && challenge[2] == JAVA_MARKER[2]
                && challenge[3] >= 1;
    }

    public static byte[] zero() {
        return ZERO.clone();
    }

    public static boolean isZero(byte[] field) {
        return MessageDigest.isEqual(field, ZERO);
    }

    /** Concatenates the three 20-byte fields of a handshake payload. */
    public static byte[] payload(byte[] challenge, byte[] response, byte[] salt) {
        byte[] p = new byte[PAYLOAD];
        System.arraycopy(challenge, 0, p, 0, FIELD);
        System.arraycopy(response, 0, p, FIELD, FIELD);
        System.arraycopy(salt, 0, p, 2 * FIELD, FIELD);
        return p;
    }

    /** Field {@code index} (0 challenge, 1 response, 2 salt) of a payload. */
    public static byte[] field(byte[] payload, int index) {
        return Arrays.copyOfRange(payload, index * FIELD, (index + 1) * FIELD);
    }
}
