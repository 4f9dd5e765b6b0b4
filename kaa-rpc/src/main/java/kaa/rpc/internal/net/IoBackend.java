package kaa.rpc.internal.net;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of Netty's transports carries the process's sockets: native epoll on
 * Linux when its jar and library load (fewer wake-up costs than the JDK
 * selector), else NIO. System property {@value #PROPERTY} forces one:
 * {@code nio}, {@code epoll} (fails loudly where epoll cannot load), or
 * {@code auto}, the default.
 */
public abstract class IoBackend {

    public static final String PROPERTY = "kaa.rpc.transport";

    private static final Logger log = LoggerFactory.getLogger(IoBackend.class);

    private static final class Holder {
        static final IoBackend CHOSEN = choose(System.getProperty(PROPERTY, "auto"));

        static {
            log.debug("I/O transport: {}", CHOSEN);
        }
    }

    /** The transport of this process, chosen once. */
    public static IoBackend get() {
        return Holder.CHOSEN;
    }

    static IoBackend choose(String wanted) {
        switch (wanted.trim().toLowerCase(Locale.ROOT)) {
            case "nio":
                return Nio.INSTANCE;
            case "epoll": {
                Throwable why = epollUnavailability();
                if (why != null) {
                    throw new IllegalStateException(PROPERTY + "=epoll, but native epoll cannot be used here: " + why,
                            why);
                }
                return new EpollBackend();
            }
            case "auto":
            case "":
                Throwable why = epollUnavailability();
                if (why == null) {
                    return new EpollBackend();
                }
                log.debug("native epoll unavailable ({}); using NIO", why.toString());
                return Nio.INSTANCE;
            default:
                throw new IllegalArgumentException(PROPERTY + " must be auto, nio or epoll, not '" + wanted + "'");
        }
    }

    /** Null when epoll can be used, else why not (its classes or its library are missing, another OS...). */
    private static Throwable epollUnavailability() {
        try {
            return EpollBackend.unavailability();
        } catch (LinkageError e) { // the optional jars are absent, or their module is not in the layer
            return e;
        }
    }

    /** {@code nio} or {@code epoll}. */
    public abstract String name();

    abstract IoHandlerFactory ioHandlerFactory();

    public abstract Class<? extends ServerChannel> serverChannel(boolean unix);

    public abstract Class<? extends Channel> channel(boolean unix);

    /** The address this transport binds or connects to for a Unix socket path. */
    public abstract SocketAddress unixAddress(Path path);

    /** A socket address as the JDK names it: the transport's own Unix-socket type becomes {@link UnixDomainSocketAddress}. */
    public SocketAddress standard(SocketAddress a) {
        return a;
    }

    @Override
    public String toString() {
        return name();
    }

    private static final class Nio extends IoBackend {
        static final Nio INSTANCE = new Nio();

        @Override
        public String name() {
            return "nio";
        }

        @Override
        IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        public Class<? extends ServerChannel> serverChannel(boolean unix) {
            return unix ? NioServerDomainSocketChannel.class : NioServerSocketChannel.class;
        }

        @Override
        public Class<? extends Channel> channel(boolean unix) {
            return unix ? NioDomainSocketChannel.class : NioSocketChannel.class;
        }

        @Override
        public SocketAddress unixAddress(Path path) {
            return UnixDomainSocketAddress.of(path);
        }
    }
}
