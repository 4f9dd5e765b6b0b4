package kaa.rpc.micrometer;

import io.micrometer.common.KeyValues;
import java.net.SocketAddress;
import kaa.rpc.CallOutcome;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.micrometer.KaaRpcObservationDocumentation.HighCardinalityKeyNames;
import kaa.rpc.micrometer.KaaRpcObservationDocumentation.LowCardinalityKeyNames;

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
        CallOutcome outcome = context.getOutcome();
        return KeyValues.of(LowCardinalityKeyNames.RPC_SYSTEM.withValue(KaaRpcObservationDocumentation.SYSTEM),
                LowCardinalityKeyNames.RPC_METHOD.withValue(context.getMethod()),
                LowCardinalityKeyNames.OUTCOME.withValue(
                        outcome == null ? KaaRpcObservationDocumentation.UNKNOWN : outcome.name()),
                LowCardinalityKeyNames.ERROR_TYPE.withValue(context.getErrorType()));
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
