package kaa.rpc.internal.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import kaa.rpc.internal.frame.Dialect;
import org.junit.jupiter.api.Test;

/** What a peer reads follows from the version its challenge's marker carries. */
class DialectTest {

    private static byte[] marked(int version) {
        byte[] c = Handshake.challenge();
        c[3] = (byte) version;
        return c;
    }

    @Test
    void headersGoOnlyToAPeerOfVersionFourOrLater() {
        assertThat(Handshake.dialectOf(Handshake.challenge())).isEqualTo(Dialect.JAVA);
        assertThat(Handshake.dialectOf(marked(5))).isEqualTo(Dialect.JAVA);
        for (int v = 1; v <= 3; v++) { // earlier versions of this library read CNCL and DENY, but not CALH
            Dialect d = Handshake.dialectOf(marked(v));
            assertThat(d).isEqualTo(Dialect.JAVA_WITHOUT_HEADERS);
            assertThat(d.readsCancel()).isTrue();
            assertThat(d.readsShortcuts()).isTrue();
            assertThat(d.readsHeaders()).isFalse();
        }
        byte[] python = Handshake.random();
        python[0] = 'x';
        assertThat(Handshake.dialectOf(python)).isEqualTo(Dialect.PYTHON);
        assertThat(Dialect.PYTHON.readsHeaders()).isFalse();
    }
}
