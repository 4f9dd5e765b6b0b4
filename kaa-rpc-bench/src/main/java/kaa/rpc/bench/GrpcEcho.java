package kaa.rpc.bench;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** gRPC-java unary calls over its Netty transport, with a hand-made method descriptor: no code generation. */
final class GrpcEcho {

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.Echo", "Echo"))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();

    private GrpcEcho() {
    }

    static String serve(String address) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder("bench.Echo")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((byte[] request, StreamObserver<byte[]> response) -> {
                    response.onNext(request);
                    response.onCompleted();
                }))
                .build();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(service)
                .maxInboundMessageSize(16 << 20)
                .directExecutor()
                .build()
                .start();
        return "127.0.0.1:" + server.getPort();
    }

    static final class Client implements EchoClient {
        private final ManagedChannel channel;

        Client(String address) {
            int colon = address.lastIndexOf(':');
            channel = NettyChannelBuilder.forAddress(address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1)))
                    .usePlaintext()
                    .maxInboundMessageSize(16 << 20)
                    .build();
            echoSmallUnchecked();
        }

        private void echoSmallUnchecked() {
            ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, SMALL);
        }

        @Override
        public void echoSmall() {
            echoSmallUnchecked();
        }

        @Override
        public void echoBytes(byte[] payload) {
            byte[] back = ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, payload);
            if (back.length != payload.length) {
                throw new IllegalStateException("wrong echo length");
            }
        }

        /** gRPC's way without generated code: the records encoded by hand into the bytes of the call. */
        @Override
        public void echoRecords() {
            byte[] back = ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT,
                    StructuredPayload.encode(StructuredPayload.RECORDS));
            StructuredPayload.check(StructuredPayload.decode(back, back.length));
        }

        @Override
        public void echoAsync(Runnable done) {
            ClientCalls.asyncUnaryCall(channel.newCall(ECHO, CallOptions.DEFAULT), SMALL, new StreamObserver<>() {
                @Override
                public void onNext(byte[] value) {
                }

                @Override
                public void onError(Throwable t) {
                    done.run();
                }

                @Override
                public void onCompleted() {
                    done.run();
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
