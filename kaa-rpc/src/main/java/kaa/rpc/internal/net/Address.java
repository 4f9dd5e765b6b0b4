package kaa.rpc.internal.net;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import kaa.rpc.internal.log.PeerLog;

/**
 * A kaa address, parsed as the original parses it: {@code "host:port"} or
 * {@code "[v6addr]:port"} is TCP, a string without {@code ':'} is a Unix
 * socket path, and a bare name (no {@code '/'}) is placed in kaa's per-user
 * temp directory, {@code $TMPDIR/kaa-<uid>} or {@code /tmp/kaa-<uid>}.
 */
public final class Address {

    /**
     * The host a connection comes from, as a key: its IP address, an IPv6
     * address by its /64 (which one host is commonly given whole, so that
     * addresses from it count as one); null for a Unix socket, whose peer has
     * no address.
     */
    public static Object host(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress) || ((InetSocketAddress) remote).getAddress() == null) {
            return null;
        }
        InetAddress ip = ((InetSocketAddress) remote).getAddress();
        return ip instanceof Inet6Address ? ByteBuffer.wrap(Arrays.copyOf(ip.getAddress(), 8)) : ip;
    }

    private final String text;
    private final SocketAddress socketAddress;
    private final boolean bareName;

    private Address(String text, SocketAddress socketAddress) {
        this(text, socketAddress, false);
    }

    private Address(String text, SocketAddress socketAddress, boolean bareName) {
        this.text = text;
        this.socketAddress = socketAddress;
        this.bareName = bareName;
    }

    /** Whether it was given as a bare name (no {@code ':'} nor {@code '/'}): a socket in kaa's directory. */
    public boolean isBareName() {
        return bareName;
    }

    /** A TCP port on all interfaces (server) or on the loopback interface (client). */
    public static Address port(int port, boolean listening) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        InetSocketAddress a = listening ? new InetSocketAddress(port)
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        return new Address(listening ? Integer.toString(port) : "localhost:" + port, a);
    }

    /**
     * Parses a kaa address; a string of digits alone is a TCP port, on every
     * interface when {@code listening}, else on the loopback interface.
     */
    public static Address parse(String address, boolean listening) {
        if (address != null && address.matches("[0-9]{1,5}")) {
            return port(Integer.parseInt(address), listening);
        }
        return parse(address);
    }

    public static Address parse(String address) {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("empty address; give host:port, [v6addr]:port or a socket path");
        }
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            Path path;
            try {
                path = address.indexOf('/') < 0 ? kaaTempDir().resolve(address) : Path.of(address);
            } catch (IllegalStateException unsafe) {
                throw new IllegalArgumentException("cannot use '" + address + "': " + unsafe.getMessage(), unsafe);
            }
            return new Address(path.toString(), UnixDomainSocketAddress.of(path), address.indexOf('/') < 0);
        }
        String host = address.substring(0, colon);
        String portText = address.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port '" + portText + "' in address '" + address + "'");
        }
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range in address '" + address + "'");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("write an IPv6 address in brackets: [" + host + "]:" + port);
        }
        InetSocketAddress a = host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        if (a.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "' in address '" + address + "'");
        }
        return new Address(address, a);
    }

    /**
     * The address as kaa writes it: {@code host:port}, {@code [v6]:port} or a
     * socket path, on one line: a peer names its own Unix socket, and may put
     * a line break in it, so control and line-separating characters are
     * written as escapes ({@code \n}, {@code \x1b}, {@code \u2028}).
     */
    public static String format(SocketAddress a) {
        a = IoBackend.get().standard(a);
        if (a instanceof InetSocketAddress) {
            InetSocketAddress i = (InetSocketAddress) a;
            String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
        }
        if (a instanceof UnixDomainSocketAddress) {
            return oneLine(((UnixDomainSocketAddress) a).getPath().toString());
        }
        return oneLine(String.valueOf(a));
    }

    private static String oneLine(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean plain = !PeerLog.breaksLine(c);
            if (plain && sb == null) {
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (plain) {
                sb.append(c);
            } else if (c == '\n' || c == '\r' || c == '\t') {
                sb.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
            } else {
                sb.append(c < 0x100 ? String.format(Locale.ROOT, "\\x%02x", (int) c)
                        : String.format(Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return sb == null ? text : sb.toString();
    }

    public boolean isUnix() {
        return socketAddress instanceof UnixDomainSocketAddress;
    }

    public SocketAddress socketAddress() {
        return socketAddress;
    }

    public Path path() {
        return ((UnixDomainSocketAddress) socketAddress).getPath();
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * Makes way for a server to listen on this Unix socket path: a stale
     * socket file (nobody accepts on it) is removed; a live one, or a file
     * that is not a socket, is refused.
     */
    public void clearStaleSocket() throws IOException {
        Path path = path();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!attrs.isOther()) {
            throw new BindException(path + " exists and is not a socket; not replacing it");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(socketAddress);
        } catch (ConnectException refused) {
            Files.deleteIfExists(path); // stale: left by a server that is gone
            return;
        }
        throw new BindException("a server is already listening on " + path);
    }

    /** Sets the permissions of a freshly bound Unix socket file. */
    public static void restrict(Path socket, Set<PosixFilePermission> permissions) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(socket, permissions);
        }
    }

    /**
     * Refuses to put a socket in a directory where another user could swap
     * or replace it: the directory must belong to us or to root, and if
     * others may write in it, it must be sticky (as /tmp is), so that they
     * cannot rename or remove what we put there.
     */
    public void checkParent() throws IOException {
        Path parent = path().toAbsolutePath().getParent();
        if (parent == null || !FileSystems.getDefault().supportedFileAttributeViews().contains("unix")) {
            return;
        }
        int owner = (Integer) Files.getAttribute(parent, "unix:uid");
        int mode = (Integer) Files.getAttribute(parent, "unix:mode");
        Object us = TempDir.uid(parent);
        if (owner != 0 && !Integer.valueOf(owner).equals(us)) {
            throw new BindException("security: " + parent + " belongs to uid " + owner + ", not to us or root: "
                    + "its owner could replace our socket; choose a directory of your own");
        }
        boolean othersWrite = (mode & 0022) != 0;
        boolean sticky = (mode & 01000) != 0;
        if (othersWrite && !sticky) {
            throw new BindException("security: others may write in " + parent + " (mode "
                    + Integer.toOctalString(mode & 07777) + ") and it is not sticky, so they could replace our "
                    + "socket; choose a directory of your own");
        }
    }

    private static final class TempDir {
        /** Made and checked on first use; a failed check is made again next time, not remembered. */
        private static volatile Path path;

        static Path get() {
            Path p = path;
            if (p == null) {
                synchronized (TempDir.class) {
                    if (path == null) {
                        path = create();
                    }
                    p = path;
                }
            }
            return p;
        }

        private static Path create() {
            String tmp = System.getenv("TMPDIR");
            Path base = Path.of(tmp == null || tmp.isEmpty() ? "/tmp" : tmp);
            Path dir = base.resolve("kaa-" + uid(base));
            try {
                if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rwx------")));
                    } catch (FileAlreadyExistsException raced) {
                        // another process made it first; checked below
                    }
                }
                if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalStateException("security: " + dir + " is not a plain directory");
                }
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
                if (!perms.equals(PosixFilePermissions.fromString("rwx------"))) {
                    throw new IllegalStateException("security: " + dir + " has permissions "
                            + PosixFilePermissions.toString(perms) + ", expected rwx------");
                }
                checkOwner(dir, uid(base));
            } catch (IOException e) {
                throw new IllegalStateException("cannot create kaa's temp directory " + dir + ": " + e, e);
            }
            return dir;
        }

        /**
         * The directory must be ours: another user who made it first (with
         * the right mode) could rename our sockets and put theirs in place.
         */
        private static void checkOwner(Path dir, Object uid) throws IOException {
            if (uid instanceof Integer) {
                Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                if (!uid.equals(owner)) {
                    throw new IllegalStateException("security: " + dir + " belongs to uid " + owner
                            + ", not to us (uid " + uid + "): another user may have made it to take our sockets; "
                            + "remove it");
                }
            } else {
                String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
                if (!owner.equals(uid)) {
                    throw new IllegalStateException("security: " + dir + " belongs to " + owner + ", not to us ("
                            + uid + "); remove it");
                }
            }
        }

        static Object uid(Path base) {
            try {
                return Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException noProc) {
                try {
                    Path probe = Files.createTempFile(base, "kaa-uid", "");
                    try {
                        return Files.getAttribute(probe, "unix:uid");
                    } finally {
                        Files.deleteIfExists(probe);
                    }
                } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                    return System.getProperty("user.name");
                }
            }
        }
    }

    /** kaa's per-user temp directory, where bare socket names live; created 0700 on first use. */
    public static Path kaaTempDir() {
        return TempDir.get();
    }
}
