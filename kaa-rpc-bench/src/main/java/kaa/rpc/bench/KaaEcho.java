package kaa.rpc.bench;

import java.util.concurrent.TimeUnit;
import kaa.rpc.Expose;
import kaa.rpc.Server;

/** kaa-rpc's echo, over TCP or a Unix socket. */
final class KaaEcho {

    static final String SECRET = "bench";

    public static final class Service {
        @Expose(direct = true) // as kaarpc serve's echo: it never blocks
        public Object echo(Object x) {
            return x;
        }
    }

    private KaaEcho() {
    }

    static String serve(String address) throws Exception {
        Server server = Server.listen(address, SECRET).register(new Service());
        return server.address();
    }

    static final class Client implements EchoClient {
        private final kaa.rpc.Client client;

        Client(String address) throws Exception {
            client = kaa.rpc.Client.connect(address, SECRET);
            client.whenOpen().get(30, TimeUnit.SECONDS);
        }

        @Override
        public void echoSmall() throws Exception {
            if (!SMALL_TEXT.equals(client.rpc("echo", SMALL_TEXT).get(1, TimeUnit.MINUTES))) {
                throw new IllegalStateException("wrong echo");
            }
        }

        @Override
        public void echoBytes(byte[] payload) throws Exception {
            byte[] back = (byte[]) client.rpc("echo", (Object) payload).get(1, TimeUnit.MINUTES);
            if (back.length != payload.length) {
                throw new IllegalStateException("wrong echo length");
            }
        }

        @Override
        public void echoAsync(Runnable done) {
            client.rpc("echo", SMALL_TEXT).whenComplete((v, e) -> done.run());
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
