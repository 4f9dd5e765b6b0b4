package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import kaa.rpc.internal.net.Address;
import org.junit.jupiter.api.Test;

/** kaa's address syntax. */
class AddressTest {

    @Test
    void parsesTheForms() {
        assertThat(Address.parse("127.0.0.1:4000").socketAddress())
                .isEqualTo(new InetSocketAddress("127.0.0.1", 4000));
        assertThat(Address.parse("[::1]:4000").socketAddress()).isEqualTo(new InetSocketAddress("::1", 4000));
        assertThat(Address.parse("localhost:1").socketAddress()).isInstanceOf(InetSocketAddress.class);
        assertThat(Address.parse(":4000").socketAddress()).isEqualTo(new InetSocketAddress(4000));
        assertThat(Address.parse("/run/x.sock").socketAddress()).isEqualTo(UnixDomainSocketAddress.of("/run/x.sock"));
        assertThat(Address.parse("./x.sock").isUnix()).isTrue();
        assertThat(Address.parse("x.sock").path()).isEqualTo(Address.kaaTempDir().resolve("x.sock"));
        assertThat(Address.port(4000, true).socketAddress()).isEqualTo(new InetSocketAddress(4000));
        assertThat(Address.format(new InetSocketAddress("::1", 5))).isEqualTo("[0:0:0:0:0:0:0:1]:5");
    }

    @Test
    void aStringOfDigitsIsAPortWhetherListeningOrConnecting() {
        assertThat(Address.parse("4790", true).socketAddress()).isEqualTo(new InetSocketAddress(4790));
        assertThat(Address.parse("4790", false).socketAddress())
                .isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), 4790));
        assertThat(Address.parse("media", false).isBareName()).isTrue();
        assertThat(Address.parse("./media", false).isBareName()).isFalse();
        assertThatThrownBy(() -> Address.parse("99999", false)).hasMessageContaining("port out of range");
    }

    @Test
    void rejectsBadAddressesClearly() {
        assertThatThrownBy(() -> Address.parse("host:http")).hasMessageContaining("bad port 'http'");
        assertThatThrownBy(() -> Address.parse("host:70000")).hasMessageContaining("port out of range");
        assertThatThrownBy(() -> Address.parse("::1:80")).hasMessageContaining("in brackets");
        assertThatThrownBy(() -> Address.parse("")).hasMessageContaining("empty address");
        assertThatThrownBy(() -> Address.parse("no-such-host.invalid:80")).hasMessageContaining("cannot resolve");
    }
}
