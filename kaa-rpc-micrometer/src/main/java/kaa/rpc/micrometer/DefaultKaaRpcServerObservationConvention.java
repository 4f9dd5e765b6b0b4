package kaa.rpc.micrometer;

import io.micrometer.common.KeyValues;
import java.net.SocketAddress;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.micrometer.KaaRpcObservationDocumentation.HighCardinalityKeyNames;

/**
 * The default names and keys of a call this side serves: name
 * {@code kaa.rpc.server}, contextual name (a span's) the bounded command;
 * low-cardinality {@code rpc.system}, {@code rpc.method}, {@code outcome},
 * {@code error.type}, always all four; high-cardinality
 * {@code network.peer.address}, {@code network.transport}, {@code kaa.rpc.peer},
 * {@code kaa.rpc.seq}. Extend it to add keys, or implement
 * {@link KaaRpcServerObservationConvention}.
 */
public class DefaultKaaRpcServerObservationConvention implements KaaRpcServerObservationConvention {

    /** The instance the module uses unless given another. */
    public static final DefaultKaaRpcServerObservationConvention INSTANCE =
            new DefaultKaaRpcServerObservationConvention();

    /** A convention; {@link #INSTANCE} does for most uses. */
    public DefaultKaaRpcServerObservationConvention() {
    }

    @Override
    public String getName() {
        return KaaRpcObservationDocumentation.SERVER_NAME;
    }

    @Override
    public String getContextualName(KaaRpcServerContext context) {
        return context.getMethod();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(KaaRpcServerContext context) {
        return PeerKeys.lowCardinality(context);
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(KaaRpcServerContext context) {
        ConnectionInfo connection = context.getCall().connection();
        SocketAddress address = connection == null ? null : connection.remoteAddress();
        return KeyValues.of(HighCardinalityKeyNames.NETWORK_PEER_ADDRESS.withValue(PeerKeys.address(address)),
                HighCardinalityKeyNames.NETWORK_TRANSPORT.withValue(PeerKeys.transport(connection, address)),
                HighCardinalityKeyNames.PEER_KIND.withValue(PeerKeys.kind(connection)),
                HighCardinalityKeyNames.SEQ.withValue(Integer.toString(context.getCall().seq())));
    }
}
