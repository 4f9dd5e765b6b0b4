package kaa.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.CompletionStage;

/**
 * Marks a method that the remote side may call, the Java form of
 * {@code @kaa.rpc.expose}. Register the object (or, for static methods, the
 * class) with {@link Server#register} or {@link Channel#register}.
 *
 * <pre>{@code
 * class Media {
 *     @Expose("do_something") int myFunction(int foo) { return foo * 2; }   // called as "do_something"
 *     @Expose String name(String foo) { return foo.toUpperCase(); }         // called as "name"
 *     @Expose(addClient = true) void hello(Channel peer, String s) { peer.rpc("welcome", s); }
 *     @Expose CompletableFuture<String> slow() {                            // answered when it completes
 *         return CompletableFuture.supplyAsync(() -> "done");
 *     }
 * }
 * }</pre>
 *
 * <p>Several methods may share a command name if they take different numbers
 * of arguments; a call picks the one whose arity matches. Keyword arguments
 * bind by parameter name, so compile with {@code -parameters}. A method that
 * returns a {@link CompletionStage} is answered when the
 * stage completes (the form of kaa's {@code coroutine=True}); {@code void}
 * methods answer {@code None}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Expose {

    /** {@return the command name the peer calls; empty means the method's own name} */
    String value() default "";

    /**
     * {@return whether the calling {@link Channel} is passed as the first
     * argument (it never crosses the wire)} The parameter must be of type
     * {@code Channel}; a proxy interface refuses it.
     */
    boolean addClient() default false;

    /**
     * {@return whether the method runs on the I/O thread that decoded the
     * call, instead of being handed to the channel's executor} The call then
     * crosses no thread, the fastest way there is. Only for methods that
     * never block and finish quickly (a look-up, a computation on the
     * arguments, a method that returns a {@code CompletionStage} and does its
     * waiting there): while it runs, every connection served by that thread
     * waits, and the calls of one connection run one after another. A blocking
     * wait for a call's future on an I/O thread is refused with an
     * {@link IllegalStateException} (the caller gets it as the remote error),
     * so a method wrongly marked fails loudly instead of deadlocking.
     * {@code directDispatch()} on a builder does this for every method.
     */
    boolean direct() default false;

    /**
     * {@return whether a cancel stops this method's work} It interrupts the
     * thread running the method, or cancels the {@code CompletionStage} the
     * method returned. A caller of this library cancels a call it no longer wants
     * (its future's {@code cancel}, or a time-out), and the loss of the
     * connection does the same. Either way the library stops its own work for
     * that call: a call not yet started is skipped, and no answer is sent.
     * Stopping the method's work is the method's choice, off by default: an
     * interrupt closes any interruptible channel (a {@code FileChannel}, say)
     * the thread is using, which a service may share with its other callers,
     * and a future it returns may be shared too (a cache's), so cancelling it
     * would fail every other caller. Set this for methods that wait in
     * interruptible ways on nothing shared, or return a future made for the
     * call. Until the work ends (the method returns, its future completes),
     * the call holds its place in {@code maxConcurrentCalls}, even after its
     * connection is gone: that is what it holds of threads and memory.
     */
    boolean interruptible() default false;

    /**
     * {@return whether a call of this proxy method is one way, as
     * {@link Channel#tell} makes it} Only for a {@code void} method of a
     * {@linkplain Channel#proxy proxy} interface (a proxy refuses it on
     * another). The method returns as soon as the call is on its way; the
     * answer, which the protocol always sends, is dropped, and a failure is
     * logged, never thrown. An implementation's method runs as any other: the peer's call
     * is answered when it returns (the caller just does not wait).
     */
    boolean oneWay() default false;
}
