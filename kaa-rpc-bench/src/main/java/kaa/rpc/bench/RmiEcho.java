package kaa.rpc.bench;

import java.net.ServerSocket;
import java.rmi.Remote;
import java.rmi.RemoteException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Java RMI: synchronous calls. RMI has no asynchronous call, so "outstanding
 * calls" means calling threads, and RMI opens a connection for each
 * concurrent call.
 */
final class RmiEcho {

    public interface Echo extends Remote {
        Object echo(Object x) throws RemoteException;
    }

    static final class Impl implements Echo {
        @Override
        public Object echo(Object x) {
            return x;
        }
    }

    private static final List<Object> KEEP = new ArrayList<>(); // RMI exports weakly; keep ours alive

    private RmiEcho() {
    }

    static String serve(String address) throws Exception {
        System.setProperty("java.rmi.server.hostname", "127.0.0.1");
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Registry registry = LocateRegistry.createRegistry(port);
        Impl impl = new Impl();
        Remote stub = UnicastRemoteObject.exportObject(impl, 0);
        registry.rebind("echo", stub);
        KEEP.add(impl);
        KEEP.add(registry);
        return "127.0.0.1:" + port;
    }

    static final class Client implements EchoClient {
        private final Echo echo;
        private final ArrayList<BenchRecord> records = new ArrayList<>(StructuredPayload.RECORDS);
        private ExecutorService callers;

        Client(String address) throws Exception {
            int colon = address.lastIndexOf(':');
            Registry registry = LocateRegistry.getRegistry(address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1)));
            echo = (Echo) registry.lookup("echo");
        }

        @Override
        public void echoSmall() throws RemoteException {
            if (!SMALL_TEXT.equals(echo.echo(SMALL_TEXT))) {
                throw new IllegalStateException("wrong echo");
            }
        }

        @Override
        public void echoBytes(byte[] payload) throws RemoteException {
            if (((byte[]) echo.echo(payload)).length != payload.length) {
                throw new IllegalStateException("wrong echo length");
            }
        }

        @Override
        @SuppressWarnings("unchecked") // what we sent
        public void echoRecords() throws RemoteException {
            StructuredPayload.check((List<BenchRecord>) echo.echo(records));
        }

        @Override
        public void pipelined(int total, int window) throws Exception {
            EchoClient.callFromThreads(window, total, this::echoSmall);
        }

        @Override
        public synchronized void echoAsync(Runnable done) {
            if (callers == null) {
                callers = Executors.newCachedThreadPool();
            }
            callers.execute(() -> {
                try {
                    echoSmall();
                } catch (RemoteException e) {
                    // counted as done; fan-in only counts completions
                } finally {
                    done.run();
                }
            });
        }

        @Override
        public synchronized void close() {
            if (callers != null) {
                callers.shutdownNow();
            }
        }
    }
}
