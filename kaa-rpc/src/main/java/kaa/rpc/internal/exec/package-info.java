/**
 * Threads for user code and time: the default executors, the serial
 * executor that orders a channel's signals, the elastic pool of Java 17, and
 * which threads are I/O threads (where blocking waits are refused, and what a
 * read sets off is held until it is done).
 *
 * <p>A leaf: uses only the JDK, Netty's thread class and {@code log}.
 */
package kaa.rpc.internal.exec;
