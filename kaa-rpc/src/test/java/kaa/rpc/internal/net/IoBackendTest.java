package kaa.rpc.internal.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import kaa.rpc.ConnectionInfo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class IoBackendTest {

    private static boolean linuxX86() {
        return System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
                && System.getProperty("os.arch").matches("amd64|x86_64");
    }

    @Test
    void nioCanAlwaysBeForced() {
        assertThat(IoBackend.choose("nio").name()).isEqualTo("nio");
        assertThat(IoBackend.choose(" NIO ").name()).isEqualTo("nio");
    }

    @Test
    void autoPicksNativeEpollWhereItsJarIsShipped() {
        // kaa-rpc depends on the linux-x86_64 native jar: a user who changes nothing gets epoll there
        assertThat(IoBackend.choose("auto").name()).isEqualTo(linuxX86() ? "epoll" : "nio");
        if (linuxX86()) {
            assertThat(IoBackend.choose("epoll").name()).isEqualTo("epoll");
        } else {
            assertThatThrownBy(() -> IoBackend.choose("epoll"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("native epoll cannot be used here");
        }
    }

    @Test
    void theProcessUsesTheTransportItWasToldToOrTheBestOne() {
        String wanted = System.getProperty(IoBackend.PROPERTY, "auto");
        String expected = wanted.equals("auto") ? (linuxX86() ? "epoll" : "nio") : wanted;
        assertThat(IoBackend.get().name()).isEqualTo(expected);
    }

    @Test
    void anUnknownTransportIsRefusedByName() {
        assertThatThrownBy(() -> IoBackend.choose("kqueue"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("kaa.rpc.transport must be auto, nio or epoll, not 'kqueue'");
    }

    @Test
    void addressesReachUsersAsJdkTypes() {
        for (String name : linuxX86() ? new String[] {"nio", "epoll"} : new String[] {"nio"}) {
            IoBackend t = IoBackend.choose(name);
            Path p = Path.of("/tmp/x.sock");
            assertThat(t.standard(t.unixAddress(p))).isEqualTo(UnixDomainSocketAddress.of(p));
            InetSocketAddress inet = new InetSocketAddress("127.0.0.1", 4000);
            assertThat(t.standard(inet)).isSameAs(inet);
        }
    }

    @Test
    void aPeersSocketNameIsAlwaysAnAddressAndWrittenOnOneLine() {
        Assumptions.assumeTrue(linuxX86());
        IoBackend epoll = IoBackend.choose("epoll");
        // an abstract name (NUL first); one no charset encodes (a lone surrogate, as any non-ASCII name is under
        // LANG=C); a path with a line break
        assertThat(epoll.standard(new DomainSocketAddress("\0kaa-x"))).isEqualTo(UnixDomainSocketAddress.of("@kaa-x"));
        assertThat(epoll.standard(new DomainSocketAddress("\0caf\u00e9\ud800")))
                .isEqualTo(UnixDomainSocketAddress.of("@caf\\u00e9\\ud800"));
        UnixDomainSocketAddress broken = UnixDomainSocketAddress.of("/tmp/a\nINFO forged\u2028");
        assertThat(Address.format(broken)).isEqualTo("/tmp/a\\nINFO forged\\u2028");
        assertThat(new ConnectionInfo(broken, broken, ConnectionInfo.Transport.UNIX, false).toString())
                .doesNotContain("\n").doesNotContain("\u2028");
    }
}
