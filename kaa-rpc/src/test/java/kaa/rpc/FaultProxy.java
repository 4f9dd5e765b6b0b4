package kaa.rpc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy for fault tests: it forwards both ways until told to stall
 * (forward nothing more), cut (forward only so many more bytes from the
 * server, then close), or reset (close with an RST).
 */
final class FaultProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean stalled;
    /** Bytes from the server still to forward before cutting; negative means no cut. */
    private final AtomicLong cutAfter = new AtomicLong(-1);
    /** One permit per connection accepted. */
    private final Semaphore accepted = new Semaphore(0);

    FaultProxy(String targetAddress) throws IOException {
        int colon = targetAddress.lastIndexOf(':');
        target = new InetSocketAddress(targetAddress.substring(0, colon),
                Integer.parseInt(targetAddress.substring(colon + 1)));
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "fault-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Waits (at most {@code Peers.WAIT}) until {@code n} more connections have been accepted. */
    boolean awaitConnections(int n) throws InterruptedException {
        return accepted.tryAcquire(n, Peers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(server);
                accepted.release();
                pump(client, server, false);
                pump(server, client, true);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromServer) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    while (stalled) {
                        if (from.isClosed()) {
                            return;
                        }
                        Thread.sleep(5); // a stalled link: bytes sit here, as in a frozen router
                    }
                    long left = fromServer ? cutAfter.get() : -1;
                    if (left >= 0 && n >= left) {
                        out.write(buf, 0, (int) left);
                        out.flush();
                        closeAll();
                        return;
                    }
                    if (left >= 0) {
                        cutAfter.addAndGet(-n);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side went away
            } finally {
                closeQuietly(to);
            }
        }, "fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** From now on nothing passes, either way, and nothing is closed. */
    void stall() {
        stalled = true;
    }

    /** Forward {@code bytes} more from the server, then close everything: a frame cut in the middle. */
    void cutAfter(long bytes) {
        cutAfter.set(bytes);
    }

    /** Close every connection with a TCP reset. */
    void reset() throws IOException {
        for (Socket s : sockets) {
            if (!s.isClosed()) {
                s.setSoLinger(true, 0);
                s.close();
            }
        }
    }

    private void closeAll() {
        sockets.forEach(FaultProxy::closeQuietly);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        stalled = false;
        listener.close();
        closeAll();
    }
}
