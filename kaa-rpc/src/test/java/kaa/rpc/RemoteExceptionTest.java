package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A remote error is a serialisable exception, traceback and causes included, as exceptions are expected to be. */
class RemoteExceptionTest {

    @Test
    void survivesSerialisationWithItsTracebackAndCause() throws Exception {
        RemoteException cause = new RemoteException("run", "java.io.IOException", "disk gone", List.of());
        RemoteException e = new RemoteException("run", "peer:1", "ValueError", "boom",
                List.of(new RemoteException.Frame("server.py", 20, "fail", "raise ValueError(msg)")), cause);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(e);
        }
        RemoteException back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (RemoteException) in.readObject();
        }
        assertThat(back.getMessage()).isEqualTo(e.getMessage());
        assertThat(back.frames()).isEqualTo(e.frames());
        assertThat(back.remoteType()).isEqualTo("ValueError");
        assertThat(back.peer()).isEqualTo("peer:1");
        assertThat(((RemoteException) back.getCause()).remoteMessage()).isEqualTo("disk gone");
    }
}
