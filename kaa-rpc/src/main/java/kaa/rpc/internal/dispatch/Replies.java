package kaa.rpc.internal.dispatch;

import io.netty.buffer.ByteBuf;
import kaa.rpc.internal.frame.FrameSink;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.log.PeerLog;
import kaa.rpc.internal.pickle.PickleWriter;
import kaa.rpc.internal.pickle.RemoteErrors;
import kaa.rpc.internal.pickle.SendPolicy;
import kaa.rpc.internal.value.Repr;

/**
 * Our answers to the peer's calls: a RETN with the result, or an EXCP with
 * the error; a result that cannot be pickled is answered with a TypeError,
 * and an error that cannot be, with a plain RuntimeError, so that the
 * caller is never left waiting. Stateless; any thread.
 */
public final class Replies {

    private static final PeerLog UNSENDABLE = PeerLog.warn(Replies.class, "answer cannot be sent");

    private final SendPolicy pythonObjects;
    /** The largest payload we accept, and so send: a peer with the same limit would close on a larger one. */
    private final long maxFrameSize;

    public Replies(SendPolicy pythonObjects, long maxFrameSize) {
        this.pythonObjects = pythonObjects;
        this.maxFrameSize = maxFrameSize;
    }

    /** Sends RETN (or EXCP) for call {@code seq}. A result that cannot be pickled is answered with a TypeError. */
    void reply(FrameSink to, int seq, String command, Object value, boolean error) {
        ByteBuf buf;
        try {
            buf = encodeAnswer(to, seq, value, error);
        } catch (RuntimeException | Error e) { // an Error too (a getter's, memory): the caller must hear
            if (error) {
                UNSENDABLE.log("cannot encode the error answering '{}'", command, e);
                sendPlainError(to, seq, command + "() failed, and its error cannot be sent: "
                        + Repr.className(e.getClass(), false));
                return;
            }
            UNSENDABLE.log("the result of '{}' cannot be sent", command, e);
            reply(to, seq, command, RemoteErrors.payload("TypeError", "the result of " + command
                    + "() cannot be sent: " + (e instanceof IllegalArgumentException ? e.getMessage()
                            : Repr.className(e.getClass(), true) + ": " + e.getMessage())), true);
            return;
        }
        if (!to.admits(buf.readableBytes())) { // this connection holds the most unsent of all: it gives way
            buf.release();
            to.giveWay();
            return;
        }
        to.send(buf);
    }

    /** The last resort of {@link #reply}: a RuntimeError with a short text, so that the caller is not left waiting. */
    void sendPlainError(FrameSink to, int seq, String message) {
        ByteBuf buf;
        try {
            buf = encodeAnswer(to, seq, RemoteErrors.payload("RuntimeError", message), true);
        } catch (RuntimeException | Error e) {
            UNSENDABLE.log("cannot answer call {} at all", Integer.toUnsignedString(seq), e);
            return;
        }
        to.send(buf);
    }

    /** The frame of a RETN (or EXCP) for call {@code seq}; on failure nothing is left allocated. */
    ByteBuf encodeAnswer(FrameSink to, int seq, Object value, boolean error) {
        ByteBuf buf = Packet.buffer(to.alloc(), PickleWriter.sizeHint(value, to.dialect().readsShortcuts()));
        try {
            Packet.writeHeader(buf, seq, error ? Packet.EXCP : Packet.RETN, 0);
            PickleWriter.write(buf, value, to.dialect().readsShortcuts(), pythonObjects);
            Packet.patchLength(buf, 0);
            Packet.checkSize(buf, maxFrameSize);
            return buf;
        } catch (RuntimeException | Error e) {
            buf.release();
            throw e;
        }
    }
}
