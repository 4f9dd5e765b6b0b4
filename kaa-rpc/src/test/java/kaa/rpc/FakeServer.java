package kaa.rpc;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import kaa.rpc.internal.handshake.Handshake;

/** The server side of a connection, driven by hand, to feed a client exactly the bytes a test wants. */
final class FakeServer {

    private final Socket socket;
    private final DataInputStream in;
    private final String secret;

    FakeServer(Socket socket, String secret) throws IOException {
        this.socket = socket;
        this.secret = secret;
        socket.setSoTimeout((int) Peers.WAIT.toMillis());
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Challenges the client and answers its challenge, as a real server with the same secret does. */
    void handshake() throws IOException {
        handshake(Handshake.random());
    }

    /** The same, with a challenge of the test's choosing (one of this library's marks the server as Java). */
    void handshake(byte[] challenge) throws IOException {
        sendRaw(WireFrames.serverChallenge(challenge));
        sendRaw(WireFrames.serverAnswer(read().payload(), secret));
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
        sendRaw(WireFrames.frame(seq, type, payload));
    }

    void sendRaw(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    WireFrames.Frame read() throws IOException {
        return WireFrames.read(in);
    }
}
