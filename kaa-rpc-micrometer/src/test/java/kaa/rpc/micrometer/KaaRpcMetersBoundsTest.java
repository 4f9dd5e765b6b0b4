package kaa.rpc.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import kaa.rpc.Server;
import org.junit.jupiter.api.Test;

/** What a peer chooses never makes a meter: the packet types it may send after the handshake are any four bytes. */
class KaaRpcMetersBoundsTest {

    @Test
    void packetTypesAPeerMakesUpShareOneMeter() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        KaaRpcMeters observer = KaaRpcMeters.create(meters);
        // what WireTap passes for an unknown type: its four bytes, the non-printable ones escaped
        for (int i = 0; i < 5000; i++) {
            observer.packetReceived(null, String.format("X%03d", i % 1000) + (char) ('a' + i / 1000), 12);
            observer.packetSent(null, String.format("\\x%02xZZZ", i & 0xff), 12);
        }
        observer.packetReceived(null, "CALL", 50);
        observer.packetReceived(null, "CALH", 50);
        observer.packetSent(null, "RETN", 20);
        assertThat(meters.find("kaa.rpc.bytes.received").counters()).hasSize(3);
        assertThat(meters.find("kaa.rpc.bytes.sent").counters()).hasSize(2);
        assertThat(meters.get("kaa.rpc.bytes.received").tag("type", "UNKNOWN").counter().count()).isEqualTo(5000 * 12);
        assertThat(meters.get("kaa.rpc.bytes.received").tag("type", "CALL").counter().count()).isEqualTo(50);
    }

    @Test
    void aPeerSendingMadeUpTypesAfterItsHandshakeMakesNoMeters() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (Server s = Server.builder("127.0.0.1:0").secret("s").observer(KaaRpcMeters.create(meters)).listen()
                .register(new Fixtures.Service())) {
            int port = Integer.parseInt(s.address().substring(s.address().lastIndexOf(':') + 1));
            try (Socket peer = new Socket("127.0.0.1", port)) {
                peer.setSoTimeout((int) Fixtures.WAIT.toMillis());
                InputStream in = peer.getInputStream();
                OutputStream out = peer.getOutputStream();
                byte[] auth = read(in);
                byte[] salt = new byte[20];
                new SecureRandom().nextBytes(salt);
                Mac mac = Mac.getInstance("HmacSHA1");
                mac.init(new SecretKeySpec(ByteBuffer.allocate(21).put((byte) 's').put(salt).array(), "HmacSHA1"));
                mac.update(auth, 0, 20);
                out.write(frame(0, "RESP", ByteBuffer.allocate(60).put(new byte[20]).put(mac.doFinal()).put(salt)
                        .array()));
                for (int i = 0; i < 500; i++) { // ignored by the server, as the original ignores them
                    out.write(frame(i, String.format("Q%03d", i), new byte[0]));
                }
                // ("echo", ("hi",), {}) in protocol 2
                out.write(frame(1, "CALL", new byte[] {(byte) 0x80, 2, 'X', 4, 0, 0, 0, 'e', 'c', 'h', 'o', 'X', 2, 0,
                    0, 0, 'h', 'i', (byte) 0x85, '}', (byte) 0x87, '.'}));
                out.flush();
                read(in); // its answer: every frame before it was read
            }
        }
        assertThat(meters.find("kaa.rpc.bytes.received").counters()).hasSizeLessThanOrEqualTo(2);
    }

    private static byte[] frame(int seq, String type, byte[] payload) {
        return ByteBuffer.allocate(12 + payload.length).order(ByteOrder.LITTLE_ENDIAN).putInt(seq)
                .put(type.getBytes(StandardCharsets.US_ASCII)).putInt(payload.length).put(payload).array();
    }

    private static byte[] read(InputStream in) throws Exception {
        DataInputStream d = new DataInputStream(in);
        byte[] header = new byte[12];
        d.readFully(header);
        byte[] payload = new byte[ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(8)];
        d.readFully(payload);
        return payload;
    }
}
