package kaa.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class IoTransportTest {

    private static boolean linuxX86() {
        return System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
                && System.getProperty("os.arch").matches("amd64|x86_64");
    }

    @Test
    void nioCanAlwaysBeForced() {
        assertThat(IoTransport.choose("nio").name()).isEqualTo("nio");
        assertThat(IoTransport.choose(" NIO ").name()).isEqualTo("nio");
    }

    @Test
    void autoPicksNativeEpollWhereItsJarIsShipped() {
        // kaa-rpc depends on the linux-x86_64 native jar: a user who changes nothing gets epoll there
        assertThat(IoTransport.choose("auto").name()).isEqualTo(linuxX86() ? "epoll" : "nio");
        if (linuxX86()) {
            assertThat(IoTransport.choose("epoll").name()).isEqualTo("epoll");
        } else {
            assertThatThrownBy(() -> IoTransport.choose("epoll"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("native epoll cannot be used here");
        }
    }

    @Test
    void theProcessUsesTheTransportItWasToldToOrTheBestOne() {
        String wanted = System.getProperty(IoTransport.PROPERTY, "auto");
        String expected = wanted.equals("auto") ? (linuxX86() ? "epoll" : "nio") : wanted;
        assertThat(IoTransport.get().name()).isEqualTo(expected);
    }

    @Test
    void anUnknownTransportIsRefusedByName() {
        assertThatThrownBy(() -> IoTransport.choose("kqueue"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("kaa.rpc.transport must be auto, nio or epoll, not 'kqueue'");
    }

    @Test
    void addressesReachUsersAsJdkTypes() {
        for (String name : linuxX86() ? new String[] {"nio", "epoll"} : new String[] {"nio"}) {
            IoTransport t = IoTransport.choose(name);
            Path p = Path.of("/tmp/x.sock");
            assertThat(t.standard(t.unixAddress(p))).isEqualTo(UnixDomainSocketAddress.of(p));
            InetSocketAddress inet = new InetSocketAddress("127.0.0.1", 4000);
            assertThat(t.standard(inet)).isSameAs(inet);
        }
    }
}
