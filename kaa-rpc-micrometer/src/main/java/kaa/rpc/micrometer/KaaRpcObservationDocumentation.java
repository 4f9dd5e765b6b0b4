package kaa.rpc.micrometer;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;
import kaa.rpc.CallOutcome;

/**
 * The two observations of this module, their names and their keys: one
 * place for all of them. Every observation of a kind carries every one of its
 * low-cardinality keys, whatever the outcome, so that a meter registry (such
 * as Prometheus's, which refuses a second meter of a name with another key
 * set) sees one key set per name.
 */
public enum KaaRpcObservationDocumentation implements ObservationDocumentation {

    /** A call this side makes: {@code kaa.rpc.client}, whichever side of the socket this is. */
    CLIENT {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultKaaRpcClientObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return LowCardinalityKeyNames.values();
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return new KeyName[] {HighCardinalityKeyNames.NETWORK_PEER_ADDRESS, HighCardinalityKeyNames.NETWORK_TRANSPORT,
                HighCardinalityKeyNames.PEER_KIND};
        }
    },

    /** A call the peer makes of this side: {@code kaa.rpc.server}, whichever side of the socket this is. */
    SERVER {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultKaaRpcServerObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return LowCardinalityKeyNames.values();
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return HighCardinalityKeyNames.values();
        }
    };

    /** The name of the observation of a call this side makes. */
    public static final String CLIENT_NAME = "kaa.rpc.client";

    /** The name of the observation of a call this side serves. */
    public static final String SERVER_NAME = "kaa.rpc.server";

    /** The value of {@code rpc.system}. */
    public static final String SYSTEM = "kaa_rpc";

    /** The value of a bounded key past its bound: a command or error type not among the first ones seen. */
    public static final String OTHER = "_OTHER";

    /** The value of a key that is not known (yet): the outcome at the start, the peer of a call made unconnected. */
    public static final String UNKNOWN = "UNKNOWN";

    /** The value of {@code error.type} for a call that did not fail. */
    public static final String NONE = "none";

    /** Keys with few values: tags of meters and of spans. Present on every observation. */
    public enum LowCardinalityKeyNames implements KeyName {
        /** Always {@code kaa_rpc}. */
        RPC_SYSTEM {
            @Override
            public String asString() {
                return "rpc.system";
            }
        },
        /**
         * The command: when served, an exposed command's name, or {@code _OTHER}
         * for an unknown one; when called, the first distinct names as
         * themselves (100 by default), then {@code _OTHER}.
         */
        RPC_METHOD {
            @Override
            public String asString() {
                return "rpc.method";
            }
        },
        /** A {@link CallOutcome}; {@code UNKNOWN} while the call runs. */
        OUTCOME {
            @Override
            public String asString() {
                return "outcome";
            }
        },
        /**
         * {@code none}; or for a failure the Python type of a remote error
         * ({@code KeyError}, {@code myapp.Failed}, or a Java peer's exception
         * class), the builtin named by a refusal, or this side's exception
         * class ({@code java.util.concurrent.TimeoutException}); of remote
         * types and of this side's other exception classes, the first distinct
         * ones (100 by default) as themselves, then {@code _OTHER}.
         */
        ERROR_TYPE {
            @Override
            public String asString() {
                return "error.type";
            }
        }
    }

    /** Keys with many values: span tags only, never meter tags. */
    public enum HighCardinalityKeyNames implements KeyName {
        /** The peer's address: {@code host:port}, or a Unix socket's path; {@code UNKNOWN} if not connected. */
        NETWORK_PEER_ADDRESS {
            @Override
            public String asString() {
                return "network.peer.address";
            }
        },
        /** {@code tcp} or {@code unix}; {@code UNKNOWN} if never connected. */
        NETWORK_TRANSPORT {
            @Override
            public String asString() {
                return "network.transport";
            }
        },
        /**
         * {@code java} (this library) or {@code python} (kaa.rpc); {@code UNKNOWN} for a call made while
         * not connected (the first calls of a client made before its connection opened, say).
         */
        PEER_KIND {
            @Override
            public String asString() {
                return "kaa.rpc.peer";
            }
        },
        /** The call's sequence number on its connection (a served call only). */
        SEQ {
            @Override
            public String asString() {
                return "kaa.rpc.seq";
            }
        }
    }
}
