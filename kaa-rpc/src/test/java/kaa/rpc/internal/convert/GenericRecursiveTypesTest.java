package kaa.rpc.internal.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The proxy check ({@link Converters#whyNot}) ends on a generic record that
 * holds itself: a parameterized type's converter is a new node each time it
 * is asked for, so the check knows a record it is already asking by its type,
 * not by its node.
 */
class GenericRecursiveTypesTest {

    /** A generic tree: its component's type {@code List<Tree<T>>} names Tree again, as a parameterized type. */
    record Tree<T>(T value, List<Tree<T>> children) {
    }

    /** The same, one level: {@code Link<T>} holds a {@code Link<T>}. */
    record Link<T>(T value, Link<T> next) {
    }

    public Tree<String> tree;
    public List<Link<Integer>> links;

    private static Type type(String field) throws NoSuchFieldException {
        return GenericRecursiveTypesTest.class.getField(field).getGenericType();
    }

    /** Runs {@code check} on a thread of its own and returns what it returned, or the error it ended with. */
    private static Object outcome(Supplier<Object> check) throws Exception {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread t = new Thread(null, () -> {
            try {
                result.complete(check.get());
            } catch (Throwable e) {
                result.complete(e);
            }
        }, "why-not", 512 * 1024);
        t.start();
        return result.get(60, TimeUnit.SECONDS);
    }

    @Test
    void aGenericRecordThatHoldsAListOfItselfIsAccepted() throws Exception {
        Type t = type("tree");
        Object why = outcome(() -> Converters.whyNot(t));
        assertThat(why).as("whyNot(Tree<String>) must end, and accept it").isNull();
    }

    @Test
    void aGenericRecordThatHoldsItselfIsAccepted() throws Exception {
        Type t = type("links");
        Object why = outcome(() -> Converters.whyNot(t));
        assertThat(why).as("whyNot(List<Link<Integer>>) must end, and accept it").isNull();
    }

    @Test
    void theConversionItselfOfAGenericTreeWorks() throws Exception {
        // the conversion (as opposed to the check) builds its parts lazily and ends: for contrast
        Object t = Conversions.convert(Map.of("value", "root", "children",
                List.of(Map.of("value", "leaf", "children", List.of()))), type("tree"));
        assertThat(t).isEqualTo(new Tree<>("root", List.of(new Tree<>("leaf", List.of()))));
    }
}
