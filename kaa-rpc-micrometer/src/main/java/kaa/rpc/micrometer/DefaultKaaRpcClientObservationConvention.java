package kaa.rpc.micrometer;

import io.micrometer.common.KeyValues;
import java.net.SocketAddress;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.micrometer.KaaRpcObservationDocumentation.HighCardinalityKeyNames;

/**
 * The default names and keys of a call this side makes: name
 * {@code kaa.rpc.client}, contextual name (a span's) the bounded command;
 * low-cardinality {@code rpc.system}, {@code rpc.method}, {@code outcome},
 * {@code error.type}, always all four; high-cardinality
 * {@code network.peer.address}, {@code network.transport}, {@code kaa.rpc.peer}.
 * Extend it to add keys, or implement {@link KaaRpcClientObservationConvention}.
 */
public class DefaultKaaRpcClientObservationConvention implements KaaRpcClientObservationConvention {

    /** The instance the module uses unless given another. */
    public static final DefaultKaaRpcClientObservationConvention INSTANCE =
            new DefaultKaaRpcClientObservationConvention();

    /** A convention; {@link #INSTANCE} does for most uses. */
    public DefaultKaaRpcClientObservationConvention() {
    }

    @Override
    public String getName() {
        return KaaRpcObservationDocumentation.CLIENT_NAME;
    }

    @Override
    public String getContextualName(KaaRpcClientContext context) {
        return context.getMethod();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(KaaRpcClientContext context) {
        return PeerKeys.lowCardinality(context);
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(KaaRpcClientContext context) {
        ConnectionInfo connection = context.getCall().connection();
        // a call made before the connection was open has none: the channel's address is known once it is
        SocketAddress address = connection != null ? connection.remoteAddress()
                : context.getCall().channel().remoteAddress();
        return KeyValues.of(HighCardinalityKeyNames.NETWORK_PEER_ADDRESS.withValue(PeerKeys.address(address)),
                HighCardinalityKeyNames.NETWORK_TRANSPORT.withValue(PeerKeys.transport(connection, address)),
                HighCardinalityKeyNames.PEER_KIND.withValue(PeerKeys.kind(connection)));
    }
}
