package kaa.rpc.internal.frame;

import java.util.concurrent.Executor;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.SocketAddress;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.internal.Options;
import kaa.rpc.internal.net.Connection;
import kaa.rpc.internal.net.SendBudget;

/**
 * What the session, its outgoing calls and its dispatch need from one live
 * connection: somewhere to send complete frames, and what the peer is.
 * {@link Connection} implements it over a Netty channel; tests record.
 */
public interface FrameSink {

    /** Where frames for this connection are allocated. */
    ByteBufAllocator alloc();

    /**
     * Sends a complete frame (header included) after every frame sent
     * before it; takes ownership of it. Any thread; frames that gather are
     * written together and flushed once.
     */
    void send(ByteBuf frame);

    /**
     * On the connection's own thread only: writes a frame at once, ahead of
     * frames other threads have {@linkplain #send sent} and that still wait.
     * Followed by {@link #flushNow}.
     */
    void sendNow(ByteBuf frame);

    /** Flushes what {@link #sendNow} wrote; on the connection's own thread. */
    void flushNow();

    /** False once the connection is closing or closed: what is sent now would be dropped. */
    boolean isActive();

    /** Runs {@code task} on the connection's I/O thread, where its packets are handled (dropped if it is gone). */
    void execute(Runnable task);

    /**
     * The connection's I/O thread as an executor that says when it refuses
     * (it shuts down): for a task whose refusal must be handled, where
     * {@link #execute} would drop it quietly.
     */
    default Executor loop() {
        return this::execute;
    }

    /**
     * False while the peer is not reading what we send: the socket is not
     * writable, or more than {@link Options#OUTBOUND_HIGH_WATER} bytes wait
     * to be handed to it.
     */
    boolean acceptsMore();

    /**
     * Whether this connection may take {@code bytes} more to send: false when
     * what all connections hold unsent fills the shared send budget and this
     * connection holds the most of it (see {@link SendBudget}).
     */
    boolean admits(int bytes);

    /** The shared send budget's limit in bytes, for messages. */
    long sendBudgetLimit();

    /** This connection holds the most unsent when the send budget is full: it is closed (once). */
    void giveWay();

    /** What the peer reads: {@link Dialect#PYTHON} until the handshake says otherwise. */
    Dialect dialect();

    /** The peer, for messages and logs. */
    String peer();

    /** The peer's address as the JDK names it, or null. */
    SocketAddress remoteAddress();

    /** The connection as observers see it, made once when its handshake completes; null until then (or without a socket). */
    default ConnectionInfo info() {
        return null;
    }

    /** What waits to be sent: queued here, and in the socket's own buffer. */
    long unsentBytes();

    /** Closes the connection; its end is reported as for any other. */
    void close();
}
