/**
 * Bytes to Python values and back: the pickle reader (which builds only what
 * the value model knows, never a class a peer names), the writer, the
 * standard-library values (datetime, Decimal, UUID), exceptions as Python
 * sees them, and the send policy for Python objects.
 *
 * <p>The unpickler is ours, opcode by opcode ({@code PickleReader} with its
 * {@code Opcodes}, {@code ValueStack}, {@code Memo} and {@code Protocol0}):
 * no pickle library. Uses {@code value} and Netty's buffers; never a socket,
 * the conversion to Java types, or anything above.
 */
package kaa.rpc.internal.pickle;
