package kaa.rpc;

import static kaa.rpc.Peers.await;
import static kaa.rpc.Peers.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Arguments bound to declared Java types, results converted back, and the errors when they do not fit. */
class BindingTest {

    public record Point(int x, int y) {
    }

    public static class Bean {
        private String name;
        public int size;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }
    }

    public enum Color { RED, GREEN }

    public static class Typed {
        @Expose
        public int sum(int[] values) {
            int s = 0;
            for (int v : values) {
                s += v;
            }
            return s;
        }

        @Expose
        public int count(List<Point> points, Set<String> tags) {
            return points.size() * 100 + tags.size();
        }

        @Expose
        public Point mirror(Point p) {
            return new Point(p.y(), p.x());
        }

        @Expose
        public String describe(Bean b) {
            return b.getName() + "/" + b.size;
        }

        @Expose
        public Bean bean(String name) {
            Bean b = new Bean();
            b.setName(name);
            b.size = 3;
            return b;
        }

        @Expose
        public int length(byte[] data) {
            return data.length;
        }

        @Expose
        public String color(Color c) {
            return c.name().toLowerCase();
        }

        @Expose
        public byte small(byte b) {
            return b;
        }

        @Expose
        public String maybe(Optional<String> s) {
            return s.orElse("nothing");
        }

        @Expose
        public int total(String label, int... values) {
            return Arrays.stream(values).sum();
        }

        @Expose
        public Map<String, Long> inverse(Map<Long, String> m) {
            Map<String, Long> out = new TreeMap<>();
            m.forEach((k, v) -> out.put(v, k));
            return out;
        }

        @Expose
        public static String shout(String s) {
            return s.toUpperCase();
        }
    }

    static Server server;
    static Client client;

    @BeforeAll
    static void start() throws Exception {
        server = Server.listen("127.0.0.1:0", "s").register(new Typed());
        client = Client.connect(server.address(), "s");
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void containersBindToArraysCollectionsRecordsBeansAndEnums() throws Exception {
        assertThat(await(client.rpc("sum", List.of(1, 2, 3)))).isEqualTo(6);
        assertThat(await(client.rpc("sum", (Object) new Object[] {4, 5}))).isEqualTo(9);
        assertThat(await(client.rpc("count", List.of(Map.of("x", 1, "y", 2), new Point(3, 4)), Set.of("a", "b"))))
                .isEqualTo(202);
        assertThat(await(client.rpc(Point.class, "mirror", new Point(1, 2)))).isEqualTo(new Point(2, 1));
        assertThat(await(client.rpc("mirror", Map.of("x", 5, "y", 6)))).isEqualTo(Map.of("x", 6, "y", 5));
        assertThat(await(client.rpc("describe", Map.of("name", "n", "size", 7)))).isEqualTo("n/7");
        Bean bean = await(client.rpc(Bean.class, "bean", "b"));
        assertThat(bean.getName()).isEqualTo("b");
        assertThat(bean.size).isEqualTo(3);
        assertThat(await(client.rpc("length", new byte[] {1, 2, 3}))).isEqualTo(3);
        assertThat(await(client.rpc("color", Color.GREEN))).isEqualTo("green");
        assertThat(await(client.rpc("maybe", (Object) null))).isEqualTo("nothing");
        assertThat(await(client.rpc("maybe", "x"))).isEqualTo("x");
        assertThat(await(client.rpc("total", "t", 1, 2, 3))).isEqualTo(6);
        assertThat(await(client.rpc("total", "t"))).isEqualTo(0);
        assertThat(await(client.rpc("inverse", Map.of(1, "a", 2L, "b")))).isEqualTo(Map.of("a", 1, "b", 2));
    }

    @Test
    void staticMethodsRegisterThroughTheirClass() throws Exception {
        try (Server s = Server.listen("127.0.0.1:0", "s").register(Typed.class);
                Client c = Client.connect(s.address(), "s")) {
            assertThat(await(c.rpc("shout", "hey"))).isEqualTo("HEY");
            assertThat(((RemoteException) failure(c.rpc("sum", List.of(1)))).remoteType()).isEqualTo("KeyError");
        }
    }

    @Test
    void mismatchesNameTheCommandTheParameterAndBothTypes() throws Exception {
        assertThat(typeError(client.rpc("small", 300)))
                .isEqualTo("small() argument 1 ('b'): expected byte, got int 300, which is out of its range");
        assertThat(typeError(client.rpc("color", "BLUE")))
                .isEqualTo("color() argument 1 ('c'): expected one of [RED, GREEN] (Color), got 'BLUE'");
        assertThat(typeError(client.rpc("sum", "123")))
                .isEqualTo("sum() argument 1 ('values'): expected int[], got str '123'");
        assertThat(typeError(client.rpc("sum", List.of(1, "two"))))
                .isEqualTo("sum() argument 1 ('values'): item 1: expected int, got str 'two'");
        assertThat(typeError(client.rpc("mirror", Map.of("x", 1))))
                .isEqualTo("mirror() argument 1 ('p'): expected Point, got a dict without key 'y'");
        assertThat(typeError(client.rpc("sum", 1.5)))
                .isEqualTo("sum() argument 1 ('values'): expected int[], got float 1.5");
        assertThat(typeError(client.rpc("small", 1.5)))
                .isEqualTo("small() argument 1 ('b'): expected byte, got float 1.5 (a float is not converted to an integer type)");
        assertThat(typeError(client.rpc("mirror")))
                .isEqualTo("mirror() takes 1 argument (0 given)");
        assertThat(typeError(client.rpc("mirror", Kwargs.of("q", 1))))
                .isEqualTo("mirror() got an unexpected keyword argument 'q'");
        assertThat(typeError(client.rpc("total", 1, 2)))
                .isEqualTo("total() argument 1 ('label'): expected String, got int 1");
    }

    @Test
    void aResultThatDoesNotConvertFailsWithClassCastException() throws Exception {
        assertThat(failure(client.rpc(Integer.class, "color", "RED"))).isInstanceOf(ClassCastException.class)
                .hasMessage("the result of 'color' does not convert to Integer: expected Integer, got String \"red\"");
    }

    @Test
    void anArgumentThatCannotBeSentFailsTheCallLocally() throws Exception {
        CompletableFuture<Object> f = client.rpc("echo", new Object());
        assertThat(failure(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot send call 'echo'").hasMessageContaining("java.lang.Object");
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThat(failure(client.rpc("echo", cycle))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nested deeper than 512 levels");
    }

    @Test
    void registrationMistakesAreReportedAtOnce() {
        assertThatThrownBy(() -> server.register(new Object()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no @Expose methods");
        assertThatThrownBy(() -> server.register(new Object() {
            @Expose
            public int f(int a) {
                return a;
            }

            @Expose("f")
            public int g(int b) {
                return b;
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both expose 'f' with 1 arguments");
        assertThatThrownBy(() -> server.register(new Object() {
            @Expose(addClient = true)
            public int f(int a) {
                return a;
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must take a kaa.rpc.Channel");
        assertThatThrownBy(() -> client.rpc("echo", Kwargs.of("a", 1), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Kwargs must be the last");
    }

    private static String typeError(CompletableFuture<?> call) throws Exception {
        Throwable t = failure(call);
        assertThat(t).isInstanceOf(RemoteException.class);
        RemoteException e = (RemoteException) t;
        assertThat(e.remoteType()).isEqualTo("TypeError");
        return e.remoteMessage();
    }
}
