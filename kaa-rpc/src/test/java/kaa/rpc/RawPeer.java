package kaa.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import kaa.rpc.internal.Handshake;
import kaa.rpc.internal.Pickling;
import kaa.rpc.internal.Unpickling;

/** A hand-driven TCP client: sends exactly the bytes a test wants, to see how a server copes. */
final class RawPeer implements AutoCloseable {

    record Frame(int seq, String type, byte[] payload) {
        Object value() throws Exception {
            return Unpickling.load(payload);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawPeer(String address) throws IOException {
        int colon = address.lastIndexOf(':');
        socket = new Socket();
        socket.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
                5000);
        socket.setSoTimeout((int) Peers.WAIT.toMillis());
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Answers the server's challenge with {@code secret}, not challenging it back. */
    RawPeer authenticate(String secret) throws IOException {
        Frame auth = read();
        byte[] salt = Handshake.random();
        byte[] answer = Handshake.answer(secret.getBytes(StandardCharsets.UTF_8),
                java.util.Arrays.copyOf(auth.payload(), 20), salt);
        send(0, "RESP", Handshake.payload(Handshake.zero(), answer, salt));
        return this;
    }

    void send(int seq, String type, byte[] payload) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(seq).put(type.getBytes(StandardCharsets.US_ASCII)).putInt(payload.length);
        out.write(header.array());
        out.write(payload);
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void call(int seq, String command, Object... args) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        Pickling.writeCall(buf, command, args, java.util.Map.of());
        byte[] payload = new byte[buf.readableBytes()];
        buf.readBytes(payload);
        send(seq, "CALL", payload);
    }

    Frame read() throws IOException {
        byte[] header = new byte[12];
        in.readFully(header);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int seq = h.getInt();
        String type = new String(header, 4, 4, StandardCharsets.US_ASCII);
        int length = h.getInt(8);
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(seq, type, payload);
    }

    /** Whether the server closes the connection (within the socket time-out) without sending more. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
