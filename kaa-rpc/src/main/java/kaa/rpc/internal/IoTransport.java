package kaa.rpc.internal;

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
public abstract class IoTransport {

    public static final String PROPERTY = "kaa.rpc.transport";

    private static final Logger log = LoggerFactory.getLogger(IoTransport.class);

    private static final class Holder {
        static final IoTransport CHOSEN = choose(System.getProperty(PROPERTY, "auto"));

        static {
            log.debug("I/O transport: {}", CHOSEN);
        }
    }

    /** The transport of this process, chosen once. */
    public static IoTransport get() {
        return Holder.CHOSEN;
    }

    static IoTransport choose(String wanted) {
        switch (wanted.trim().toLowerCase(Locale.ROOT)) {
            case "nio":
                return Nio.INSTANCE;
            case "epoll": {
                Throwable why = epollUnavailability();
                if (why != null) {
                    throw new IllegalStateException(PROPERTY + "=epoll, but native epoll cannot be used here: " + why,
                            why);
                }
                return new EpollTransport();
            }
            case "auto":
            case "":
                Throwable why = epollUnavailability();
                if (why == null) {
                    return new EpollTransport();
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
            return EpollTransport.unavailability();
        } catch (LinkageError e) { // the optional jars are absent, or their module is not in the layer
            return e;
        }
    }

    /** {@code nio} or {@code epoll}. */
    public abstract String name();

    abstract IoHandlerFactory ioHandlerFactory();

    abstract Class<? extends ServerChannel> serverChannel(boolean unix);

    abstract Class<? extends Channel> channel(boolean unix);

    /** The address this transport binds or connects to for a Unix socket path. */
    abstract SocketAddress unixAddress(Path path);

    /** A socket address as the JDK names it: the transport's own Unix-socket type becomes {@link UnixDomainSocketAddress}. */
    public SocketAddress standard(SocketAddress a) {
        return a;
    }

    @Override
    public String toString() {
        return name();
    }

    private static final class Nio extends IoTransport {
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
        Class<? extends ServerChannel> serverChannel(boolean unix) {
            return unix ? NioServerDomainSocketChannel.class : NioServerSocketChannel.class;
        }

        @Override
        Class<? extends Channel> channel(boolean unix) {
            return unix ? NioDomainSocketChannel.class : NioSocketChannel.class;
        }

        @Override
        SocketAddress unixAddress(Path path) {
            return UnixDomainSocketAddress.of(path);
        }
    }
}
