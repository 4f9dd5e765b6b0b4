package kaa.rpc.internal;

/**
 * What the peer of a connection reads, fixed by its handshake: a Python
 * peer ({@code kaa.rpc}) reads the original protocol only; a peer that is
 * this library (its challenge carries our marker, see {@link Handshake})
 * also reads our extensions.
 */
public enum Dialect {
    /** The original protocol: no CNCL, no DENY, pickles Python reads. Every connection starts here. */
    PYTHON,
    /** This library: CNCL, DENY, and pickle shortcuts such as BINBYTES for a {@code byte[]}. */
    JAVA;

    /** The dialect of the peer whose handshake challenge is {@code challenge}. */
    static Dialect of(byte[] challenge) {
        return Handshake.isJavaPeer(challenge) ? JAVA : PYTHON;
    }

    /** Whether the peer reads {@link Packet#CNCL}: a call it need no longer answer. */
    boolean readsCancel() {
        return this == JAVA;
    }

    /** Whether the peer reads {@link Packet#DENY}: a server's refusal of its answer to the challenge. */
    boolean readsDeny() {
        return this == JAVA;
    }

    /** Whether pickles may use the shortcuts only this library reads ({@code javaPeer} for {@link Pickling}). */
    boolean readsShortcuts() {
        return this == JAVA;
    }
}
