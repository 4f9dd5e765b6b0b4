package kaa.rpc.internal.net;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Netty's native epoll transport. The only class that names its types, and
 * loaded only once {@link #unavailability()} has answered, so the optional
 * jars may be absent.
 */
final class EpollBackend extends IoBackend {

    static Throwable unavailability() {
        return Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
    }

    @Override
    public String name() {
        return "epoll";
    }

    @Override
    IoHandlerFactory ioHandlerFactory() {
        return EpollIoHandler.newFactory();
    }

    @Override
    public Class<? extends ServerChannel> serverChannel(boolean unix) {
        return unix ? EpollServerDomainSocketChannel.class : EpollServerSocketChannel.class;
    }

    @Override
    public Class<? extends Channel> channel(boolean unix) {
        return unix ? EpollDomainSocketChannel.class : EpollSocketChannel.class;
    }

    @Override
    public SocketAddress unixAddress(Path path) {
        return new DomainSocketAddress(path.toString());
    }

    @Override
    public SocketAddress standard(SocketAddress a) {
        if (a instanceof DomainSocketAddress) {
            // a peer's socket may be bound to a name in Linux's abstract namespace, which starts with (and may
            // hold) NUL, and no path may hold: written as ss(8) writes it, @name
            String path = ((DomainSocketAddress) a).path();
            String name = path == null ? "" : path.replace('\0', '@');
            try {
                return UnixDomainSocketAddress.of(name);
            } catch (InvalidPathException unencodable) {
                // a name the JVM's file-name charset cannot encode (any but ASCII under LANG=C, a lone surrogate):
                // its characters beyond ASCII written as escapes, which every charset encodes
                return UnixDomainSocketAddress.of(asciiEscaped(name));
            }
        }
        return a;
    }

    private static String asciiEscaped(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 16);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return sb.toString();
    }
}
