package kaa.rpc.micrometer;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import kaa.rpc.ConnectionInfo;

/** The high-cardinality values that describe a call's peer. */
final class PeerKeys {

    private PeerKeys() {
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
