/**
 * What the interceptors' chains on both sides share: a call view's common
 * state ({@link kaa.rpc.internal.intercept.CallView}) and the adaptation of
 * an interceptor's stage ({@link kaa.rpc.internal.intercept.Stages}). The
 * chains themselves are {@code call.OutgoingChain} and
 * {@code dispatch.IncomingChain}. Uses only the public package.
 */
package kaa.rpc.internal.intercept;
