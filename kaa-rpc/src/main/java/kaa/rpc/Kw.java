package kaa.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A keyword parameter of an {@link Expose}d method, named by the annotation
 * or else by the parameter itself (which needs {@code -parameters}).
 *
 * <pre>{@code
 * interface Greeter {
 *     @Expose String greet(String name, @Kw("greeting") String greeting);
 * }
 * Greeter greeter = channel.proxy(Greeter.class);
 * greeter.greet("bob", "hi");   // greet('bob', greeting='hi')
 * greeter.greet("bob", null);   // greet('bob'): Python's default applies
 * }</pre>
 *
 * <p>In a {@linkplain Channel#proxy proxy}, the argument goes as a keyword
 * argument, and a null one is left out, so that the callee's default applies.
 * In a registered object, the parameter binds to the keyword argument of that
 * name (or to its position); a caller may leave it out, and it is then null,
 * or {@code Optional.empty()} for an {@code Optional} (a primitive parameter
 * must be given).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Kw {

    /** {@return the keyword; empty means the parameter's own name} */
    String value() default "";
}
