package kaa.rpc.internal;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

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

    /** 20 unpredictable bytes, for a challenge or a salt. */
    public static byte[] random() {
        byte[] b = new byte[FIELD];
        RANDOM.nextBytes(b);
        return b;
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
