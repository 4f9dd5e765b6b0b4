package kaa.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import kaa.rpc.demo.DemoService;
import org.junit.jupiter.api.Test;

/**
 * A short soak: 50,000 calls from 20 clients, a mix of echo, slow, failing
 * and nested callback calls; every answer must match its call. The full run
 * (1,000,000 calls from 100 clients, with the server's heap measured) is
 * {@code ./kaarpc-bench soak}.
 */
class SoakTest {

    public static class ClientSide {
        @Expose
        public List<Object> client_echo(Object x) {
            return List.of("client", x);
        }
    }

    @Test
    void fiftyThousandMixedCallsEachGetTheirOwnAnswer() throws Exception {
        int clients = 20;
        int perClient = 2_500;
        try (Server server = Server.listen("127.0.0.1:0", "s").register(new DemoService())) {
            List<Client> all = new ArrayList<>();
            try {
                for (int c = 0; c < clients; c++) {
                    Client client = Client.connect(server.address(), "s");
                    client.register(new ClientSide());
                    all.add(client);
                }
                AtomicInteger wrong = new AtomicInteger();
                AtomicInteger right = new AtomicInteger();
                List<CompletableFuture<Void>> checks = new ArrayList<>();
                Semaphore window = new Semaphore(400);
                for (int i = 0; i < perClient; i++) {
                    for (int c = 0; c < clients; c++) {
                        window.acquire();
                        String tag = c + "/" + i;
                        CompletableFuture<Object> call;
                        Object expected;
                        switch (i % 4) {
                            case 0 -> {
                                call = all.get(c).rpc("echo", tag);
                                expected = tag;
                            }
                            case 1 -> {
                                call = all.get(c).rpc("slow", 0.001, tag);
                                expected = tag;
                            }
                            case 2 -> {
                                call = all.get(c).rpc("fail", tag);
                                expected = null;
                            }
                            default -> {
                                call = all.get(c).rpc("callback", "client_echo", tag);
                                expected = List.of("callback", List.of("client", tag));
                            }
                        }
                        checks.add(call.handle((v, e) -> {
                            window.release();
                            boolean ok = expected == null
                                    ? e instanceof RemoteException && ((RemoteException) e).remoteMessage().equals(tag)
                                    : e == null && expected.equals(v);
                            (ok ? right : wrong).incrementAndGet();
                            return null;
                        }));
                    }
                }
                CompletableFuture.allOf(checks.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
                assertThat(wrong.get()).isZero();
                assertThat(right.get()).isEqualTo(clients * perClient);
            } finally {
                all.forEach(Client::close);
            }
        }
    }

}
