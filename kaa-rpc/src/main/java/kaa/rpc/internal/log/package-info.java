/**
 * Log lines a peer can cause, bounded: counted, at most one a second per
 * kind, no stack traces. A leaf every layer may use.
 */
package kaa.rpc.internal.log;
