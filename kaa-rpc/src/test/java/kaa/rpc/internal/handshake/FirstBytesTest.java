package kaa.rpc.internal.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.THROWABLE;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.ProtocolException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import kaa.rpc.HandshakeTimeoutException;
import kaa.rpc.internal.frame.FrameDecoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A side with TLS meeting a side without: the first bytes, or their absence, name the cause. */
class FirstBytesTest {

    private static final HandshakePeer PEER = new HandshakePeer() {
        @Override
        public void spoke() {
        }

        @Override
        public String peer() {
            return "10.0.0.7:4242";
        }
    };

    /** The failures passed on, of which the connection keeps the first; and the bytes given to TLS. */
    private final List<Throwable> failures = new ArrayList<>();
    private final List<Object> passed = new ArrayList<>();
    /** Every channel made, whose unread challenges and answers are released after the test. */
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void releaseWhatIsLeft() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        passed.forEach(ReferenceCountUtil::release);
    }

    private EmbeddedChannel channel(boolean server, boolean tls) {
        FirstBytes first = new FirstBytes(PEER, server, tls);
        FrameDecoder frames = new FrameDecoder(1 << 20);
        // in TLS's place: what it would be given is kept, and nothing reaches the handshake
        ChannelHandler underFirst = tls ? new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                passed.add(msg);
            }
        } : frames;
        EmbeddedChannel channel = new EmbeddedChannel(first, underFirst,
                new HandshakeHandler(PEER, server, new byte[0], Duration.ofSeconds(1), frames, first),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        failures.add(cause);
                    }
                });
        channels.add(channel);
        return channel;
    }

    @Test
    void aTlsServerThatHearsNothingSaysThePeerMayBeAPlainClient() {
        EmbeddedChannel ch = channel(true, true);
        ReferenceCountUtil.release(ch.readOutbound()); // the challenge, which TLS would hold until its handshake is done
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(failures).first(THROWABLE).isInstanceOf(HandshakeTimeoutException.class)
                .hasMessage("no handshake within 1000 ms with 10.0.0.7:4242: it sent nothing, not even a TLS hello; "
                        + "a kaa.rpc client without tls(...) waits in silence for the server to speak first");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aTlsServerSentAKaaFrameSaysTheClientDoesNotSpeakTls() {
        EmbeddedChannel ch = channel(true, true);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 0, 'C', 'A', 'L', 'L', 0, 0, 0, 0}));
        assertThat(failures).first(THROWABLE).isInstanceOf(SSLException.class)
                .hasMessageStartingWith("client 10.0.0.7:4242 does not speak TLS (it sent a kaa.rpc frame)");
        assertThat(passed).isEmpty();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aTlsRecordPassesOnWholeAndTheLookingStops() {
        EmbeddedChannel ch = channel(true, true);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x16, 0x03}));
        assertThat(ch.pipeline().get(FirstBytes.class)).isNull();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x01, 0x00, 0x05, 'A', 'B', 'C', 'D', 'E'}));
        assertThat(failures).isEmpty();
        assertThat(passed).hasSize(2);
    }

    @Test
    void aKaaHeaderInPiecesIsStillSeen() {
        EmbeddedChannel ch = channel(false, true);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0}));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 'A', 'U', 'T', 'H', 60, 0, 0, 0}));
        assertThat(failures).first(THROWABLE).isInstanceOf(SSLException.class)
                .hasMessage("the server at 10.0.0.7:4242 does not speak TLS (it sent a kaa.rpc greeting): remove "
                        + "tls(...) or ask for a TLS port");
    }

    @Test
    void aPlainClientSentATlsRecordSaysTheServerSpeaksTls() {
        EmbeddedChannel ch = channel(false, false);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}));
        assertThat(failures).first(THROWABLE).isInstanceOf(ProtocolException.class)
                .hasMessage("the server at 10.0.0.7:4242 speaks TLS: set tls(...) on the client too");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aPlainClientLeavesAKaaChallengeToTheHandshake() {
        EmbeddedChannel ch = channel(false, false);
        byte[] auth = new byte[12 + 60];
        System.arraycopy(new byte[] {'A', 'U', 'T', 'H', 60}, 0, auth, 4, 5);
        for (int i = 12; i < 32; i++) {
            auth[i] = (byte) (i * 37); // a challenge: not all zeros, which a client refuses to answer
        }
        ch.writeInbound(Unpooled.wrappedBuffer(auth));
        assertThat(ch.pipeline().get(FirstBytes.class)).isNull();
        assertThat(failures).isEmpty();
        Object answer = ch.readOutbound();
        assertThat(answer).as("the client's answer").isNotNull();
        ReferenceCountUtil.release(answer);
    }
}
