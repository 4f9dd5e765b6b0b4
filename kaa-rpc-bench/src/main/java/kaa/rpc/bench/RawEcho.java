package kaa.rpc.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The floor: blocking sockets, a thread per connection, and the same 12-byte
 * header as kaa.rpc around raw bytes. No serialization, no dispatch. Over TCP,
 * or over a Unix socket when the address is a path.
 */
final class RawEcho {

    private RawEcho() {
    }

    static String serve(String address) throws IOException {
        if (isPath(address)) {
            return serveUnix(Path.of(address));
        }
        ServerSocket server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        acceptForEver(() -> {
            Socket s = server.accept();
            s.setTcpNoDelay(true);
            return () -> echoLoop(s);
        });
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Accepts one connection and says how to serve it. */
    private interface Acceptor {
        Runnable accept() throws IOException;
    }

    /** Accepts connections on a daemon thread until the listener fails, each served on a daemon thread of its own. */
    private static void acceptForEver(Acceptor acceptor) {
        Thread accepting = new Thread(() -> {
            while (true) {
                try {
                    Thread t = new Thread(acceptor.accept(), "raw-echo");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "raw-accept");
        accepting.setDaemon(true);
        accepting.start();
    }

    private static boolean isPath(String address) {
        return address.indexOf('/') >= 0;
    }

    private static String serveUnix(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(
                StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        acceptForEver(() -> {
            SocketChannel s = server.accept();
            return () -> echoLoop(s, in(s), out(s));
        });
        return path.toString();
    }

    // Channels.newInputStream/newOutputStream share the channel's blocking lock on Java 17: a read that waits
    // would block every write (the pipelined writer). A socket channel reads and writes concurrently by itself.
    private static InputStream in(SocketChannel ch) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return ch.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }

    private static OutputStream out(SocketChannel ch) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
            }
        };
    }

    private static void echoLoop(Socket s) {
        try {
            echoLoop(s, s.getInputStream(), s.getOutputStream());
        } catch (IOException e) {
            // connection ended
        }
    }

    private static void echoLoop(Closeable s, InputStream rawIn, OutputStream rawOut) {
        try (s) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(rawIn, 65536));
            OutputStream out = new BufferedOutputStream(rawOut, 65536);
            byte[] header = new byte[12];
            byte[] payload = new byte[0];
            while (true) {
                in.readFully(header);
                int length = littleEndian(header, 8);
                if (payload.length < length) {
                    payload = new byte[length];
                }
                in.readFully(payload, 0, length);
                header[4] = 'R';
                header[5] = 'E';
                header[6] = 'T';
                header[7] = 'N';
                out.write(header);
                out.write(payload, 0, length);
                if (in.available() == 0) {
                    out.flush(); // batch answers while more calls are already waiting
                }
            }
        } catch (IOException closed) {
            // connection ended
        }
    }

    static int littleEndian(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    static final class Client implements EchoClient {
        private final Closeable socket;
        private final DataInputStream in;
        private final OutputStream out;
        private final byte[] header = new byte[12];
        private byte[] buffer = new byte[64];

        Client(String address) throws IOException {
            InputStream rawIn;
            OutputStream rawOut;
            if (isPath(address)) {
                SocketChannel ch = SocketChannel.open(
                        UnixDomainSocketAddress.of(address));
                socket = ch;
                rawIn = in(ch);
                rawOut = out(ch);
            } else {
                int colon = address.lastIndexOf(':');
                Socket s = new Socket(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
                s.setTcpNoDelay(true);
                socket = s;
                rawIn = s.getInputStream();
                rawOut = s.getOutputStream();
            }
            in = new DataInputStream(new BufferedInputStream(rawIn, 65536));
            out = new BufferedOutputStream(rawOut, 65536);
        }

        private void send(int seq, byte[] payload) throws IOException {
            byte[] h = {(byte) seq, (byte) (seq >> 8), (byte) (seq >> 16), (byte) (seq >> 24), 'C', 'A', 'L', 'L',
                (byte) payload.length, (byte) (payload.length >> 8), (byte) (payload.length >> 16),
                (byte) (payload.length >> 24)};
            out.write(h);
            out.write(payload);
        }

        private int receive() throws IOException {
            in.readFully(header);
            int length = littleEndian(header, 8);
            if (buffer.length < length) {
                buffer = new byte[length];
            }
            in.readFully(buffer, 0, length);
            return length;
        }

        @Override
        public void echoSmall() throws IOException {
            send(1, SMALL);
            out.flush();
            receive();
        }

        @Override
        public void echoBytes(byte[] payload) throws IOException {
            send(1, payload);
            out.flush();
            if (receive() != payload.length) {
                throw new IllegalStateException("wrong echo length");
            }
        }

        /** The records encoded by hand, as gRPC sends them, and decoded from the answer. */
        @Override
        public void echoRecords() throws IOException {
            send(1, StructuredPayload.encode(StructuredPayload.RECORDS));
            out.flush();
            int length = receive();
            StructuredPayload.check(StructuredPayload.decode(buffer, length));
        }

        /** A writer thread keeps {@code window} calls outstanding; this thread reads the answers. */
        @Override
        public void pipelined(int total, int window) throws Exception {
            Semaphore slots = new Semaphore(window);
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < total; i++) {
                        if (!slots.tryAcquire()) {
                            out.flush();
                            slots.acquire();
                        }
                        send(i, SMALL);
                    }
                    out.flush();
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, "raw-pipelined-writer");
            writer.start();
            for (int i = 0; i < total; i++) {
                receive();
                slots.release();
            }
            writer.join(TimeUnit.MINUTES.toMillis(1));
        }

        /**
         * One socket for all threads: each writes and flushes its frame under
         * a lock, then waits for its own answer, which one reader thread hands
         * to it by the header's seq.
         */
        @Override
        public void shared(int threads, int total) throws Exception {
            Map<Integer, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();
            Thread reader = new Thread(() -> {
                try {
                    for (int i = 0; i < total; i++) {
                        receive();
                        waiting.remove(littleEndian(header, 0)).complete(null);
                    }
                } catch (IOException | RuntimeException e) {
                    waiting.values().forEach(answer -> answer.completeExceptionally(e));
                }
            }, "raw-shared-reader");
            reader.setDaemon(true);
            reader.start();
            AtomicInteger nextSeq = new AtomicInteger();
            Object writing = new Object();
            EchoClient.callFromThreads(threads, total, () -> {
                int seq = nextSeq.incrementAndGet();
                CompletableFuture<Void> answer = new CompletableFuture<>();
                waiting.put(seq, answer); // before the call goes, so that the reader finds it
                synchronized (writing) {
                    send(seq, SMALL);
                    out.flush();
                }
                answer.get(1, TimeUnit.MINUTES);
            });
            reader.join(TimeUnit.MINUTES.toMillis(1));
        }

        @Override
        public void echoAsync(Runnable done) {
            throw new UnsupportedOperationException("the raw floor is blocking; fan-in drives it with threads");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** For fan-in: one blocking round trip on a connection of its own. */
    static void fanInLoop(Client c, CountDownLatch stop, LongAdder calls) {
        try {
            while (stop.getCount() > 0) {
                c.echoSmall();
                calls.increment();
            }
        } catch (IOException e) {
            // closed at the end
        }
    }
}
