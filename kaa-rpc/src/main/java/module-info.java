/**
 * kaa-rpc: remote procedure calls between processes, wire-compatible with
 * Python's kaa.rpc. Everything a user needs is in package {@code kaa.rpc};
 * {@code kaa.rpc.internal} and its sub-packages are not API.
 */
module kaa.rpc {
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.transport;
    requires static io.netty.transport.classes.epoll; // optional: IoBackend falls back to NIO
    requires static io.netty.transport.unix.common;
    requires org.slf4j;

    exports kaa.rpc;
}
