/**
 * Bytes to Python values and back: the pickle reader (which builds only what
 * the value model knows, never a class a peer names), the writer, the
 * standard-library values (datetime, Decimal, UUID), exceptions as Python
 * sees them, and the send policy for Python objects.
 *
 * <p>Uses {@code value}, Netty's buffers and Pyrolite's opcode reader;
 * never a socket, the conversion to Java types, or anything above.
 */
package kaa.rpc.internal.pickle;
