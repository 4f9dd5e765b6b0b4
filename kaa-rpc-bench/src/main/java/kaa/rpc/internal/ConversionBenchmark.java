package kaa.rpc.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Converting a decoded five-key dict to a record and to a bean, as binding an
 * argument or a proxy's result does: the per-call cost once the target type's
 * constructor, components and setters are known.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConversionBenchmark {

    public record Person(String name, int age, double height, boolean active, long id) {
    }

    public static class PersonBean {
        private String name;
        private int age;
        private double height;
        private boolean active;
        private long id;

        public void setName(String name) {
            this.name = name;
        }

        public void setAge(int age) {
            this.age = age;
        }

        public void setHeight(double height) {
            this.height = height;
        }

        public void setActive(boolean active) {
            this.active = active;
        }

        public void setId(long id) {
            this.id = id;
        }

        public String getName() {
            return name;
        }

        public int getAge() {
            return age;
        }

        public double getHeight() {
            return height;
        }

        public boolean isActive() {
            return active;
        }

        public long getId() {
            return id;
        }
    }

    private final Map<String, Object> dict = new LinkedHashMap<>();

    public ConversionBenchmark() {
        dict.put("name", "Ada");
        dict.put("age", 36);
        dict.put("height", 1.7);
        dict.put("active", true);
        dict.put("id", 1234567890123L);
    }

    @Benchmark
    public Object toRecord() throws ConversionException {
        return Values.conversion(Work.forPayload(100)).convert(dict, Person.class);
    }

    @Benchmark
    public Object toBean() throws ConversionException {
        return Values.conversion(Work.forPayload(100)).convert(dict, PersonBean.class);
    }
}
