package kaa.rpc;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/**
 * A generic type to convert an answer to, captured by an anonymous subclass:
 *
 * <pre>{@code
 * List<Track> tracks = channel.rpc(new TypeRef<List<Track>>() {}, "tracks", "x").get(5, SECONDS);
 * }</pre>
 *
 * @param <T> the type
 */
public abstract class TypeRef<T> {

    private final Type type;

    /**
     * Captures the type argument of the anonymous subclass.
     *
     * @throws IllegalArgumentException if the subclass gives no type argument,
     *     or a type variable as one
     */
    protected TypeRef() {
        Type superclass = getClass().getGenericSuperclass();
        if (!(superclass instanceof ParameterizedType)) {
            throw new IllegalArgumentException("TypeRef needs a type argument: new TypeRef<List<String>>() {}");
        }
        this.type = ((ParameterizedType) superclass).getActualTypeArguments()[0];
        if (!(type instanceof Class) && !(type instanceof ParameterizedType)
                && !(type instanceof GenericArrayType)) {
            throw new IllegalArgumentException("TypeRef needs a concrete type, not " + type.getTypeName());
        }
    }

    /** {@return the captured type} */
    public final Type type() {
        return type;
    }

    @Override
    public String toString() {
        return "TypeRef<" + type.getTypeName() + ">";
    }
}
