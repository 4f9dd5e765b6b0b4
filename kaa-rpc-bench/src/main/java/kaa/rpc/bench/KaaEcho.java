package kaa.rpc.bench;

import java.util.List;
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

    /**
     * The structured scenario as a typed proxy: the server's {@code echo}
     * sends back the dicts the records went as, the proxy makes records of
     * them again.
     */
    public interface Records {
        @Expose
        List<BenchRecord> echo(List<BenchRecord> records);
    }

    private KaaEcho() {
    }

    static String serve(String address) throws Exception {
        Server server = Server.listen(address, SECRET).register(new Service());
        return server.address();
    }

    static final class Client implements EchoClient {
        private final kaa.rpc.Client client;
        private final Records records;

        Client(String address) throws Exception {
            client = kaa.rpc.Client.connect(address, SECRET);
            client.whenOpen().get(30, TimeUnit.SECONDS);
            records = client.proxy(Records.class);
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
        public void echoRecords() {
            StructuredPayload.check(records.echo(StructuredPayload.RECORDS));
        }

        /** The same data as maps, through the untyped call: dicts both ways, nothing to convert. */
        void echoMaps() throws Exception {
            StructuredPayload.checkSize((List<?>) client.rpc("echo", StructuredPayload.MAPS).get(1, TimeUnit.MINUTES));
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
