/**
 * Python values to the Java types a method or a caller asks for: one tree of
 * converters per Java type ({@link kaa.rpc.internal.convert.Converters}),
 * built once, which both converts and says why a type cannot be converted to,
 * so that a proxy's check and a call's conversion are the same code.
 *
 * <p>Uses only {@code value}: no pickle, no Netty.
 */
package kaa.rpc.internal.convert;
