package kaa.rpc;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import kaa.rpc.WireFrames.Frame;
import kaa.rpc.internal.handshake.Handshake;

/** A hand-driven client (TCP or Unix): sends exactly the bytes a test wants, to see how a server copes. */
final class RawPeer implements AutoCloseable {

    private final SocketChannel channel;
    private final Selector selector;

    /** Connects to a TCP {@code host:port} or a Unix socket path, as kaa addresses are written. */
    RawPeer(String address) throws IOException {
        this(address, null);
    }

    /** Connects to a TCP {@code host:port} from the local address {@code from} (127.0.0.2, say), if not null. */
    RawPeer(String address, String from) throws IOException {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(address));
        } else {
            channel = SocketChannel.open();
            if (from != null) {
                channel.bind(new InetSocketAddress(from, 0));
            }
            channel.connect(new InetSocketAddress(address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1))));
        }
        channel.configureBlocking(false);
        selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    /** Answers the server's challenge with {@code secret}, not challenging it back. */
    RawPeer authenticate(String secret) throws IOException {
        sendRaw(WireFrames.clientAnswer(read().payload(), secret));
        return this;
    }

    /** Answers as a client of this library does, with its marked challenge, and reads the server's answer to it. */
    RawPeer authenticateAsThisLibrary(String secret) throws IOException {
        sendRaw(WireFrames.clientAnswer(read().payload(), secret, Handshake.challenge()));
        Frame resp = read();
        if (!resp.type().equals("RESP")) {
            throw new IOException("the server answered the handshake with " + resp.type());
        }
        return this;
    }

    void send(int seq, String type, byte[] payload) throws IOException {
        sendRaw(WireFrames.frame(seq, type, payload));
    }

    /** Sends bytes as they are: frames the test made itself, many in one write. */
    void sendRaw(byte[] bytes) throws IOException {
        write(ByteBuffer.wrap(bytes));
    }

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    void call(int seq, String command, Object... args) throws IOException {
        sendRaw(WireFrames.callFrame(seq, command, args));
    }

    Frame read() throws IOException {
        byte[] header = new byte[12];
        fill(ByteBuffer.wrap(header));
        byte[] payload = new byte[WireFrames.lengthOf(header)];
        fill(ByteBuffer.wrap(payload));
        return WireFrames.frameOf(header, payload);
    }

    /** Reads until {@code b} is full; fails if the peer closes or is silent for {@code Peers.WAIT}. */
    private void fill(ByteBuffer b) throws IOException {
        long deadline = System.nanoTime() + Peers.WAIT.toNanos();
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new EOFException("peer closed the connection");
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (b.hasRemaining() && (left <= 0 || selector.select(left) == 0 && System.nanoTime() > deadline)) {
                throw new SocketTimeoutException("peer sent nothing within " + Peers.WAIT);
            }
            selector.selectedKeys().clear();
        }
    }

    /** Whether the server closes the connection (within {@code Peers.WAIT}) without sending more. */
    boolean closedByServer() throws IOException {
        try {
            fill(ByteBuffer.allocate(1));
            return false;
        } catch (EOFException closed) {
            return true;
        } catch (SocketTimeoutException silent) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
