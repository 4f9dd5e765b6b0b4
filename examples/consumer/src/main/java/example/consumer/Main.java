package example.consumer;

import java.util.concurrent.TimeUnit;
import kaa.rpc.Client;

/**
 * Connects to a kaa.rpc server, calls it through a typed interface, and
 * prints what it got, one line each: {@code java -jar app.jar ADDRESS SECRET}.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Main ADDRESS SECRET");
            System.exit(2);
        }
        try (Client client = Client.connect(args[0], args[1])) {
            client.whenOpen().get(10, TimeUnit.SECONDS);
            Demo demo = client.proxy(Demo.class);
            System.out.println("echo " + demo.echo("hello"));
            System.out.println("add " + demo.add(2, 3));
            System.out.println("addAsync " + demo.addAsync(40, 2).get(10, TimeUnit.SECONDS));
            System.out.println("greet " + demo.greet("bob", "hi"));
            demo.echoAndForget("nobody waits");
            System.out.println("module " + (Main.class.getModule().isNamed() ? Main.class.getModule().getName()
                    : "(class path)"));
        }
    }
}
