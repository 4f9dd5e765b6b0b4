package kaa.rpc.internal.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import org.junit.jupiter.api.Test;

/** One answer to "which host is this peer": admission's shares and the receive budget's both ask it. */
class AddressHostTest {

    private static Object host(String ip) throws Exception {
        return Address.host(new InetSocketAddress(InetAddress.getByName(ip), 4000));
    }

    @Test
    void anIpv6PeerIsItsSlash64AndAnIpv4PeerItsAddress() throws Exception {
        assertThat(host("2001:db8:1:2::1")).isEqualTo(host("2001:db8:1:2:ffff::7"));
        assertThat(host("2001:db8:1:3::1")).isNotEqualTo(host("2001:db8:1:2::1"));
        assertThat(host("10.0.0.1")).isEqualTo(host("10.0.0.1")).isNotEqualTo(host("10.0.0.2"));
    }

    @Test
    void aUnixSocketPeerHasNoHost() {
        assertThat(Address.host(UnixDomainSocketAddress.of("/tmp/x.sock"))).isNull();
        assertThat(Address.host(null)).isNull();
        assertThat(Address.host(InetSocketAddress.createUnresolved("nowhere.invalid", 1))).isNull();
    }
}
