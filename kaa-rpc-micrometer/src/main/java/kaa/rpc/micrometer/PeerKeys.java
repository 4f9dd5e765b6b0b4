package kaa.rpc.micrometer;

import io.micrometer.common.KeyValues;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import kaa.rpc.CallOutcome;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.micrometer.KaaRpcObservationDocumentation.LowCardinalityKeyNames;

/** The key values both default conventions write: the fixed low-cardinality set, and those of a call's peer. */
final class PeerKeys {

    private PeerKeys() {
    }

    /** The four low-cardinality keys, always all four (a missing value written as such), made or served. */
    static KeyValues lowCardinality(CallContext context) {
        CallOutcome outcome = context.getOutcome();
        return KeyValues.of(LowCardinalityKeyNames.RPC_SYSTEM.withValue(KaaRpcObservationDocumentation.SYSTEM),
                LowCardinalityKeyNames.RPC_METHOD.withValue(context.getMethod()),
                LowCardinalityKeyNames.OUTCOME.withValue(
                        outcome == null ? KaaRpcObservationDocumentation.UNKNOWN : outcome.name()),
                LowCardinalityKeyNames.ERROR_TYPE.withValue(context.getErrorType()));
    }

    static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            return inet.getHostString() + ":" + inet.getPort();
        } else if (address instanceof UnixDomainSocketAddress) {
            return ((UnixDomainSocketAddress) address).getPath().toString();
        }
        return address == null ? KaaRpcObservationDocumentation.UNKNOWN : address.toString();
    }

    static String transport(ConnectionInfo connection, SocketAddress address) {
        if (connection != null) {
            return connection.transport() == ConnectionInfo.Transport.TCP ? "tcp" : "unix";
        }
        return address instanceof InetSocketAddress ? "tcp"
                : address instanceof UnixDomainSocketAddress ? "unix" : KaaRpcObservationDocumentation.UNKNOWN;
    }

    static String kind(ConnectionInfo connection) {
        return connection == null ? KaaRpcObservationDocumentation.UNKNOWN
                : connection.peerIsJava() ? "java" : "python";
    }
}
