package kaa.rpc.internal.frame;

import kaa.rpc.internal.pickle.PickleWriter;

/**
 * What the peer of a connection reads, fixed by its handshake: a Python
 * peer ({@code kaa.rpc}) reads the original protocol only; a peer that is
 * this library (its challenge carries our marker, see {@link Handshake})
 * also reads our extensions.
 */
public enum Dialect {
    /** The original protocol: no CNCL, no DENY, pickles Python reads. Every connection starts here. */
    PYTHON,
    /** This library before 0.2: CNCL, DENY and the pickle shortcuts, but no CALH. */
    JAVA_WITHOUT_HEADERS,
    /** This library: CNCL, DENY, CALH, and pickle shortcuts such as BINBYTES for a {@code byte[]}. */
    JAVA;

    /** Whether the peer reads {@link Packet#CNCL}: a call it need no longer answer. */
    public boolean readsCancel() {
        return this != PYTHON;
    }

    /** Whether the peer reads {@link Packet#DENY}: a server's refusal of its answer to the challenge. */
    public boolean readsDeny() {
        return this != PYTHON;
    }

    /** Whether pickles may use the shortcuts only this library reads ({@code javaPeer} for {@link PickleWriter}). */
    public boolean readsShortcuts() {
        return this != PYTHON;
    }

    /** Whether the peer reads {@link Packet#CALH}: a call with headers. */
    public boolean readsHeaders() {
        return this == JAVA;
    }
}
