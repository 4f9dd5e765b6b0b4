package kaa.rpc.internal;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import kaa.rpc.internal.convert.ConversionException;
import kaa.rpc.internal.convert.Conversions;
import kaa.rpc.internal.value.WorkBudget;
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
 * constructor, components and setters are known; and a list of such dicts
 * to {@code List<Person>} and a dict of ints to {@code Map<String, Integer>},
 * whose targets are parameterized types rather than classes.
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

    /** Declared only for their generic types. */
    public List<Person> people;
    public Map<String, Integer> counts;

    private final Map<String, Object> dict = new LinkedHashMap<>();
    private final List<Object> dicts = new ArrayList<>();
    private final Map<String, Object> ints = new LinkedHashMap<>();
    private final Type listOfPerson;
    private final Type mapOfInts;

    public ConversionBenchmark() {
        dict.put("name", "Ada");
        dict.put("age", 36);
        dict.put("height", 1.7);
        dict.put("active", true);
        dict.put("id", 1234567890123L);
        for (int i = 0; i < 10; i++) {
            dicts.add(new LinkedHashMap<>(dict));
            ints.put("k" + i, i);
        }
        try {
            listOfPerson = ConversionBenchmark.class.getField("people").getGenericType();
            mapOfInts = ConversionBenchmark.class.getField("counts").getGenericType();
        } catch (NoSuchFieldException e) {
            throw new AssertionError(e);
        }
    }

    @Benchmark
    public Object toRecord() throws ConversionException {
        return Conversions.conversion(WorkBudget.forPayload(100)).convert(dict, Person.class);
    }

    @Benchmark
    public Object toBean() throws ConversionException {
        return Conversions.conversion(WorkBudget.forPayload(100)).convert(dict, PersonBean.class);
    }

    @Benchmark
    public Object toListOfRecords() throws ConversionException {
        return Conversions.conversion(WorkBudget.forPayload(1000)).convert(dicts, listOfPerson);
    }

    @Benchmark
    public Object toMapOfInts() throws ConversionException {
        return Conversions.conversion(WorkBudget.forPayload(200)).convert(ints, mapOfInts);
    }
}
