package example.consumer;

import java.util.concurrent.CompletableFuture;
import kaa.rpc.Expose;
import kaa.rpc.Kw;

/** The commands of `kaarpc serve` this application calls, as a typed interface. */
public interface Demo {

    @Expose
    String echo(String text);

    @Expose("add")
    long add(long a, long b);

    @Expose("add")
    CompletableFuture<Long> addAsync(long a, long b);

    @Expose
    String greet(String name, @Kw("greeting") String greeting);

    @Expose(value = "echo", oneWay = true)
    void echoAndForget(String text);
}
