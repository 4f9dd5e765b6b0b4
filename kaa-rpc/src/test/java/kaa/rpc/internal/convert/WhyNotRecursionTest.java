package kaa.rpc.internal.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The check ends on generic records that hold each other, wildcards and recursive bounds, and still finds a reason. */
class WhyNotRecursionTest {

    record A<T>(B<T> b, T t) {
    }

    record B<T>(A<List<T>> a, Map<String, B<T>> m) {
    }

    record C<T extends Comparable<T>>(T t, C<T> next, List<? extends C<? super T>> more) {
    }

    record D<T extends D<T>>(T self, List<T> all) {
    }

    record Bad<T>(A<T> a, AtomicLong n) {
    }

    @Test
    void recursiveGenericRecordsEnd() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThat(Converters.whyNot(A.class.getRecordComponents()[0].getGenericType())).isNull();
            assertThat(Converters.whyNot(B.class)).isNull();
            assertThat(Converters.whyNot(C.class)).isNull();
            assertThat(Converters.whyNot(C.class.getRecordComponents()[2].getGenericType())).isNull();
            assertThat(Converters.whyNot(D.class)).isNull();
            assertThat(Converters.whyNot(Bad.class)).contains("component n is a Number");
        });
    }
}
