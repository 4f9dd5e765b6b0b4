package kaa.rpc.internal.frame;

/**
 * The types of packet, as the session routes them. On the wire a type is
 * four ASCII bytes read as a big-endian int ({@link Packet#code}):
 *
 * <pre>
 *  0       4       8       12
 *  +-------+-------+-------+---------------------+
 *  |  seq  | type  |length |  payload (length)   |
 *  | LE u32| ASCII | LE u32|  a pickle, or empty |
 *  +-------+-------+-------+---------------------+
 * </pre>
 */
public enum PacketType {
    AUTH, RESP, CALL, RETN, EXCP, CNCL, DENY,
    /** A CALL with headers, from a peer of this library. */
    CALH,
    /** Any other code: a peer's junk, or a type of a later version. */
    UNKNOWN;

    /** The type of {@code code} (the codes are {@link Packet}'s); the common ones are looked at first. */
    public static PacketType of(int code) {
        if (code == Packet.CALL) {
            return CALL;
        } else if (code == Packet.RETN) {
            return RETN;
        } else if (code == Packet.EXCP) {
            return EXCP;
        } else if (code == Packet.CNCL) {
            return CNCL;
        } else if (code == Packet.AUTH) {
            return AUTH;
        } else if (code == Packet.RESP) {
            return RESP;
        } else if (code == Packet.DENY) {
            return DENY;
        } else if (code == Packet.CALH) {
            return CALH;
        }
        return UNKNOWN;
    }
}
