package kaa.rpc.cli;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import kaa.rpc.internal.frame.FrameLimits;
import kaa.rpc.internal.frame.Packet;
import kaa.rpc.internal.log.PeerLog;
import kaa.rpc.internal.net.Address;
import kaa.rpc.internal.net.EventLoops;
import kaa.rpc.internal.net.IoBackend;
import kaa.rpc.internal.wire.WireFormat;
import kaa.rpc.internal.wire.WireTrace;

/**
 * Relays every connection made to one address to another, byte for byte
 * (the handshake too: it needs no secret), and prints each packet both ways
 * in the wire trace's format, each answer paired with its call and its
 * latency. Only what is printed is decoded, and that is bounded as the
 * library bounds it: the frame size limit, a shared budget for the payloads
 * held for decoding, the pickle reader's work budget, a bounded number of
 * calls remembered per connection, and a bounded number of connections. A
 * stream it cannot follow is still relayed; it is no longer decoded.
 *
 * <p>Each direction has backpressure of its own: a side whose outbound
 * buffer is full stops the other side's reading until it drains.
 */
final class TraceProxy implements AutoCloseable {

    /** The limits and the output form. */
    record Settings(long maxFrameSize, int maxConnections, int maxPending, boolean json, List<String> commands,
            Duration stallTimeout) {
        static final int DEFAULT_MAX_CONNECTIONS = 256;
        static final int DEFAULT_MAX_PENDING = 1024;
        static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);

        Settings {
            commands = List.copyOf(commands);
        }

        Settings(long maxFrameSize, int maxConnections, int maxPending, boolean json, List<String> commands) {
            this(maxFrameSize, maxConnections, maxPending, json, commands, DEFAULT_STALL_TIMEOUT);
        }

        static Settings defaults() {
            return new Settings(FrameLimits.DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PENDING, false,
                    List.of());
        }
    }

    /** What all connections may hold at once of the payloads they decode: memory bounded whatever peers send. */
    static final long DECODE_BUDGET = 64L << 20;
    /** The calls all connections remember at once for pairing (each at most a command's 100 characters). */
    static final int MAX_PENDING_TOTAL = 1 << 16;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final PeerLog REFUSED = PeerLog.warn(TraceProxy.class, "proxy connections over the limit");

    private final Address target;
    private final Settings settings;
    private final Consumer<String> out;
    /** The --command globs, or null to show every call. */
    private final List<String> commands;
    /** The calls a connection always remembers, whatever the others hold: its share of all connections' bound. */
    private final int fairShare;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong decodeBudget = new AtomicLong(DECODE_BUDGET);
    /** The calls remembered for pairing, by all connections (each counts its own on its I/O thread). */
    private final AtomicInteger pendingTotal = new AtomicInteger();
    private final Channel server;
    private final SocketAddress bound;

    /**
     * Listens on {@code listen} and relays to {@code target}; {@code out}
     * takes each line (from I/O threads, one at a time: see {@link LinePrinter}).
     */
    TraceProxy(Address listen, Address target, Settings settings, Consumer<String> out) throws IOException {
        this.target = target;
        this.settings = settings;
        this.out = out;
        this.commands = settings.commands.isEmpty() ? null : settings.commands;
        this.fairShare = Math.max(1, MAX_PENDING_TOTAL / Math.max(1, settings.maxConnections));
        if (listen.isUnix()) {
            listen.checkParent();
            listen.clearStaleSocket();
        }
        ServerBootstrap b = new ServerBootstrap().group(EventLoops.group())
                .channel(IoBackend.get().serverChannel(listen.isUnix()))
                .childOption(ChannelOption.AUTO_READ, false) // nothing is read until the target is connected
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accept(ch);
                    }
                });
        SocketAddress at = listen.isUnix() ? IoBackend.get().unixAddress(listen.path()) : listen.socketAddress();
        var f = b.bind(at).awaitUninterruptibly();
        if (!f.isSuccess()) {
            IOException e = new BindException("cannot listen on " + listen + ": " + f.cause().getMessage());
            e.initCause(f.cause());
            throw e;
        }
        server = f.channel();
        if (listen.isUnix()) {
            Address.restrict(listen.path(), PosixFilePermissions.fromString("rw-------"));
        }
        bound = listen.isUnix() ? listen.socketAddress() : server.localAddress();
    }

    /** Where clients reach the proxy, in kaa syntax. */
    String address() {
        return Address.format(IoBackend.get().standard(bound));
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
    }

    private void accept(Channel client) {
        if (connections.incrementAndGet() > settings.maxConnections) {
            connections.decrementAndGet();
            REFUSED.log("refusing a connection from {}: {} are relayed (--max-connections)",
                    Address.format(client.remoteAddress()), settings.maxConnections);
            client.close();
            return;
        }
        Relayed r;
        try {
            r = new Relayed(client);
        } catch (RuntimeException | Error e) { // nothing is relayed: the slot is given back at once
            connections.decrementAndGet();
            client.close();
            throw e;
        }
        // a connection counts until both its channels are closed: a target left holding what was sent to it too
        client.closeFuture().addListener(f -> r.channelClosed());
        client.pipeline().addLast("relay", r.clientSide);
        Bootstrap b = new Bootstrap().group(client.eventLoop()).channel(IoBackend.get().channel(target.isUnix()))
                .option(ChannelOption.AUTO_READ, false).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(r.targetSide);
        SocketAddress to = target.isUnix() ? IoBackend.get().unixAddress(target.path()) : target.socketAddress();
        b.connect(to).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                r.event("cannot connect to " + target + ": " + f.cause().getMessage());
                r.channelClosed(); // no target channel to wait for
                client.close();
                return;
            }
            r.connected(f.channel());
        });
    }


    /** A call waiting for its answer, for pairing. */
    private record Pending(String command, long sentNanos, boolean shown) {
    }

    /** One relayed connection: the client's channel, the target's, and what is decoded of each direction. */
    private final class Relayed {
        final Channel client;
        volatile Channel targetChannel;
        final String id = WireTrace.newConnectionId();
        final String clientName;
        String targetName = target.toString();
        /** The calls each way that wait for an answer by seq, oldest first, at most maxPending each (I/O thread). */
        final Map<Long, Pending> fromClient = new LinkedHashMap<>();
        final Map<Long, Pending> fromTarget = new LinkedHashMap<>();
        /** Calls forgotten unanswered to keep this connection's bound, and all connections' (I/O thread). */
        long forgotten;
        long forgottenForAll;
        final FrameScanner up;
        final FrameScanner down;
        final Side clientSide = new Side(true);
        final Side targetSide = new Side(false);

        Relayed(Channel client) {
            this.client = client;
            String name = client.remoteAddress() == null ? "" : Address.format(client.remoteAddress());
            this.clientName = name.isEmpty() ? "local client" : name;
            up = new FrameScanner(settings.maxFrameSize, decodeBudget, frames(true));
            down = new FrameScanner(settings.maxFrameSize, decodeBudget, frames(false));
        }

        /** Channels of this connection not yet closed, or not yet known to have failed to connect (I/O thread). */
        private int open = 2;

        /** One of the two channels is closed (or the target's never connected): the last frees the slot. */
        void channelClosed() {
            if (--open == 0) {
                connections.decrementAndGet();
            }
        }

        void connected(Channel t) {
            targetChannel = t;
            t.closeFuture().addListener(f -> channelClosed());
            String name = t.remoteAddress() == null ? "" : Address.format(IoBackend.get().standard(t.remoteAddress()));
            targetName = name.isEmpty() ? target.toString() : name;
            event("connected");
            if (!client.isActive()) {
                t.close();
                return;
            }
            client.closeFuture().addListener(f -> flushAndClose(t));
            t.closeFuture().addListener(f -> flushAndClose(client));
            client.config().setAutoRead(true);
            t.config().setAutoRead(true);
        }

        FrameScanner.Frames frames(boolean fromClientSide) {
            return new FrameScanner.Frames() {
                @Override
                public void frame(int seq, int type, ByteBuf payload, long length) {
                    packet(fromClientSide, seq, type, payload, length);
                }

                @Override
                public void stopped(long length) {
                    event((fromClientSide ? "client" : "target") + " sent a frame of " + length
                            + " bytes, over --max-frame-size " + settings.maxFrameSize
                            + ": that direction is relayed, no longer decoded");
                }
            };
        }

        /**
         * Whether each direction is past its part of the handshake: the
         * client's RESP (its answer and challenge) has passed; the server's
         * RESP (its answer), or, to a client that challenged nothing, its
         * first packet of any other kind. Before, a packet is shown by type
         * and size alone (I/O thread). The client's packets between the two
         * are shown marked unconfirmed: only the server's part says the
         * client's answer was right, and a client without the secret could
         * otherwise put calls the server never read into the trace.
         */
        boolean clientPastHandshake;
        boolean targetPastHandshake;

        void packet(boolean fromClientSide, int seq, int type, ByteBuf payload, long length) {
            long now = System.nanoTime();
            if (!fromClientSide && !targetPastHandshake && clientPastHandshake && type != Packet.AUTH
                    && type != Packet.RESP && type != Packet.DENY) {
                targetPastHandshake = true; // an answer, or a call: the server took the client's answer
            }
            boolean handshake = fromClientSide ? !clientPastHandshake : !targetPastHandshake;
            boolean unconfirmed = fromClientSide && clientPastHandshake && !targetPastHandshake;
            if (type == Packet.RESP) {
                if (fromClientSide) {
                    clientPastHandshake = true;
                } else {
                    targetPastHandshake = true;
                }
            }
            WireFormat.Line line = WireFormat.packet(System.currentTimeMillis(), id, clientName, targetName,
                    fromClientSide ? WireFormat.Direction.SENT : WireFormat.Direction.RECEIVED, seq, type,
                    payload, length, handshake);
            if (payload.readableBytes() < length && length <= WireFormat.DECODE_UP_TO && line.note() != null
                    && line.note().startsWith("not decoded: over")) {
                line = new WireFormat.Line(line.epochMillis(), line.connection(), line.local(), line.remote(),
                        line.direction(), line.type(), line.seq(), line.command(), line.bytes(), -1,
                        "not decoded: the proxy's decoding budget is in use", null);
            }
            if (unconfirmed) {
                line = line.withNote("unconfirmed: before the server accepted the handshake");
            }
            if (handshake) { // shown by type and size alone, and paired with nothing
                if (commands == null) {
                    out.accept(settings.json ? WireFormat.json(line) : WireFormat.text(line));
                }
                return;
            }
            long key = Integer.toUnsignedLong(seq);
            boolean show = true;
            if (WireFormat.isCall(type)) {
                show = commands == null || (line.command() != null && Glob.matchesAny(commands, line.command()));
                remember(fromClientSide ? fromClient : fromTarget, key, new Pending(line.command(), now, show));
            } else if (type == Packet.CNCL) {
                // its caller wants no answer, and a callee of this library sends none: the call is forgotten
                Pending call = take(fromClientSide ? fromClient : fromTarget, key);
                if (call != null) {
                    line = line.withCommand(call.command());
                    show = call.shown();
                } else {
                    show = commands == null;
                }
            } else if (type == Packet.RETN || type == Packet.EXCP) {
                // an answer goes the other way from its call
                Pending call = take(fromClientSide ? fromTarget : fromClient, key);
                if (call != null) {
                    line = line.withCommand(call.command()).withLatency(now - call.sentNanos());
                    show = call.shown();
                } else {
                    line = line.withNote("no call seen for it");
                    show = commands == null;
                }
            } else if (commands != null) {
                show = false; // a filter shows its calls and their answers only
            }
            if (show) {
                out.accept(settings.json ? WireFormat.json(line) : WireFormat.text(line));
            }
        }

        /** The call {@code seq} that waited in {@code calls}, no longer remembered; or null. */
        private Pending take(Map<Long, Pending> calls, long seq) {
            Pending call = calls.remove(seq);
            if (call != null) {
                pendingTotal.decrementAndGet();
            }
            return call;
        }

        private void remember(Map<Long, Pending> calls, long seq, Pending p) {
            if (calls.remove(seq) == null) { // the same seq again: the newer call is the one an answer pairs with
                pendingTotal.incrementAndGet();
            }
            calls.put(seq, p);
            // past this connection's bound, its oldest call is forgotten; past all connections' bound too, if it
            // holds more than its share, so that a few connections that leave many calls unanswered do not make
            // every other one forget its calls (within its share, a connection's calls are kept). So all hold at
            // most twice the bound: the connections within their shares hold at most the bound between them, and
            // the others grow only while the total is under it
            boolean ownBound = calls.size() > settings.maxPending;
            boolean overShare = fromClient.size() + fromTarget.size() > fairShare;
            if (ownBound || overShare && pendingTotal.get() > MAX_PENDING_TOTAL) {
                Iterator<Long> oldest = calls.keySet().iterator();
                oldest.next();
                oldest.remove();
                pendingTotal.decrementAndGet();
                if (ownBound) {
                    forgotten++;
                } else {
                    forgottenForAll++;
                }
            }
        }

        void event(String note) {
            WireFormat.Line line = WireFormat.event(System.currentTimeMillis(), id, clientName, targetName, note);
            out.accept(settings.json ? WireFormat.json(line) : WireFormat.text(line));
        }

        void closed() {
            up.close();
            down.close();
            int waiting = fromClient.size() + fromTarget.size();
            pendingTotal.addAndGet(-waiting);
            fromClient.clear();
            fromTarget.clear();
            event("closed" + (waiting > 0 ? "; " + waiting + " calls unanswered" : "")
                    + (forgotten > 0 ? "; " + forgotten + " calls forgotten unanswered (--max-pending "
                            + settings.maxPending + ")" : "")
                    + (forgottenForAll > 0 ? "; " + forgottenForAll + " calls forgotten unanswered (all "
                            + "connections remember at most " + MAX_PENDING_TOTAL + ")" : ""));
        }

        /** One side's handler: what it reads is decoded and written to the other side. */
        final class Side extends ChannelInboundHandlerAdapter {
            private final boolean isClient;

            Side(boolean isClient) {
                this.isClient = isClient;
            }

            private Channel other() {
                return isClient ? targetChannel : client;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                Channel other = other();
                if (!(msg instanceof ByteBuf b) || other == null || !other.isActive()) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                try {
                    (isClient ? up : down).feed(b);
                } catch (RuntimeException e) { // the trace's own failure: the relay goes on, undecoded
                    (isClient ? up : down).close();
                    event("decoding stopped: " + PeerLog.describe(e));
                }
                other.write(b, other.voidPromise());
                if (!other.isWritable()) {
                    ctx.channel().config().setAutoRead(false); // until the other side drains (its writability)
                    watchStall(ctx.channel(), other);
                }
            }

            /** This side's pauses so far: a stall watch belongs to one pause (I/O thread). */
            private long pauses;
            /** The watch of this side's pause, if one is scheduled: cancelled when the pause ends (I/O thread). */
            private ScheduledFuture<?> watch;

            /** This side reads again: its pause's watch is no longer needed. */
            void resumed() {
                ScheduledFuture<?> w = watch;
                watch = null;
                if (w != null) {
                    w.cancel(false);
                }
            }

            /**
             * Reading {@code paused} waits for {@code other} to drain: if nothing of it
             * drains for the stall time-out, both are closed. A side that stops
             * reading for good must not hold the connection for ever (nor hide the
             * close of the paused side, which is not read meanwhile).
             */
            private void watchStall(Channel paused, Channel other) {
                long pause = ++pauses;
                resumed(); // one watch at a time: the last pause's
                watchStall(paused, other, pause, other.bytesBeforeWritable());
            }

            private void watchStall(Channel paused, Channel other, long pause, long unsent) {
                watch = paused.eventLoop().schedule(() -> {
                    watch = null;
                    if (pause != pauses || paused.config().isAutoRead() || !paused.isActive() || !other.isActive()
                            || other.isWritable()) {
                        return; // that pause is over
                    }
                    long now = other.bytesBeforeWritable();
                    if (now < unsent) {
                        watchStall(paused, other, pause, now); // it drains, slowly: watch on
                        return;
                    }
                    event("closed: " + (isClient ? "the target" : "the client") + " read nothing for "
                            + settings.stallTimeout.toMillis() + " ms (--stall-timeout)");
                    paused.close();
                    other.close();
                }, settings.stallTimeout.toNanos(), TimeUnit.NANOSECONDS);
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                Channel other = other();
                if (other != null) {
                    other.flush();
                }
            }

            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                Channel other = other();
                if (other != null && ctx.channel().isWritable() && other.isActive()) {
                    other.config().setAutoRead(true);
                    (isClient ? targetSide : clientSide).resumed();
                }
                ctx.fireChannelWritabilityChanged();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                resumed(); // no pause outlives its channel
                if (isClient) {
                    closed(); // once per connection: the client's side reports it
                }
                ctx.fireChannelInactive();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // a reset, a failed read: the other side is closed by the close listeners
            }
        }
    }

    /** Closes {@code ch} once what was written to it has gone out, or after the stall time-out if it never does. */
    private void flushAndClose(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            ScheduledFuture<?> deadline = ch.eventLoop().schedule(() -> {
                ch.close(); // it read none of what was left for it
            }, settings.stallTimeout.toNanos(), TimeUnit.NANOSECONDS);
            ch.closeFuture().addListener(f -> deadline.cancel(false));
        }
    }
}
