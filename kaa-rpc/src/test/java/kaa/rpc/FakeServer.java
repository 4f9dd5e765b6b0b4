package kaa.rpc;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import kaa.rpc.internal.Handshake;

/** The server side of a connection, driven by hand, to feed a client exactly the bytes a test wants. */
final class FakeServer {

    private final Socket socket;
    private final DataInputStream in;
    private final byte[] secret;

    FakeServer(Socket socket, String secret) throws IOException {
        this.socket = socket;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        socket.setSoTimeout((int) Peers.WAIT.toMillis());
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Challenges the client and answers its challenge, as a real server with the same secret does. */
    void handshake() throws IOException {
        handshake(Handshake.random());
    }

    /** The same, with a challenge of the test's choosing (one of this library's marks the server as Java). */
    void handshake(byte[] challenge) throws IOException {
        send(0, "AUTH", Handshake.payload(challenge, Handshake.zero(), Handshake.zero()));
        RawPeer.Frame resp = read();
        byte[] theirs = Arrays.copyOfRange(resp.payload(), 0, 20);
        byte[] salt = Handshake.random();
        send(0, "RESP", Handshake.payload(Handshake.zero(), Handshake.answer(secret, theirs, salt), salt));
    }

    /** A challenge marked as a server of this library issues it: the client then takes us for a Java peer. */
    static byte[] javaServerChallenge() {
        byte[] b = Handshake.random();
        b[0] = 'k';
        b[1] = 'a';
        b[2] = 'J';
        b[3] = 2;
        b[4] = 'S';
        return b;
    }

    void send(int seq, String type, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(12 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(seq).put(type.getBytes(StandardCharsets.US_ASCII)).putInt(payload.length).put(payload);
        socket.getOutputStream().write(b.array());
        socket.getOutputStream().flush();
    }

    RawPeer.Frame read() throws IOException {
        byte[] header = new byte[12];
        in.readFully(header);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        byte[] payload = new byte[h.getInt(8)];
        in.readFully(payload);
        return new RawPeer.Frame(h.getInt(0), new String(header, 4, 4, StandardCharsets.US_ASCII), payload);
    }
}
