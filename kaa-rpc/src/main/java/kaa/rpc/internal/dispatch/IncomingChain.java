package kaa.rpc.internal.dispatch;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import kaa.rpc.CallRefusedException;
import kaa.rpc.Channel;
import kaa.rpc.ConnectionInfo;
import kaa.rpc.IncomingCall;
import kaa.rpc.IncomingInterceptor;
import kaa.rpc.internal.intercept.CallView;
import kaa.rpc.internal.intercept.Stages;
import kaa.rpc.internal.log.PeerLog;

/**
 * The peer's calls through the {@link IncomingInterceptor}s, the first
 * outermost, and then to the exposed method ({@link Terminal}). Made only
 * when there are interceptors: without, {@link IncomingCalls} runs the
 * method itself, as it did before interceptors were. Holds no lock.
 */
final class IncomingChain {

    // an interceptor's bug, maybe set off by what the peer sent: a line a second at most
    static final PeerLog THREW = PeerLog.warn(IncomingChain.class, "incoming interceptor threw");

    /** The end of the chain: the exposed method, run for one call. */
    interface Terminal {
        /** Runs the method {@code view} names; never throws, a failure is the stage's. */
        CompletableFuture<Object> run(View view);
    }

    private final IncomingInterceptor[] interceptors;
    private final CommandTable commands;

    IncomingChain(List<IncomingInterceptor> interceptors, CommandTable commands) {
        this.interceptors = interceptors.toArray(new IncomingInterceptor[0]);
        this.commands = commands;
    }

    /** The first view of a call, as it arrived. */
    View view(Channel channel, ConnectionInfo connection, int seq, String command, Object[] args,
            Map<String, Object> kwargs, Map<String, String> headers, Terminal terminal) {
        Call call = new Call(channel, connection, seq, terminal);
        return new View(call, command, args, kwargs, headers);
    }

    /** Runs the chain for the call of {@code view}; its answer is the returned future's. */
    CompletableFuture<Object> run(View view) {
        return proceed(view.call, 0, view);
    }

    private CompletableFuture<Object> proceed(Call call, int index, View view) {
        if (index == interceptors.length) {
            return call.terminal.run(view);
        }
        IncomingInterceptor interceptor = interceptors[index];
        CompletionStage<?> stage;
        try {
            stage = Objects.requireNonNull(interceptor.intercept(view, new Next(call, index + 1)),
                    "the interceptor returned no completion");
        } catch (CallRefusedException refused) {
            return CompletableFuture.failedFuture(refused); // an answer, not a fault: not logged
        } catch (Throwable t) {
            THREW.log("{} threw on call '{}'", interceptor, view.command(), t);
            return CompletableFuture.failedFuture(t);
        }
        return Stages.asFuture(stage);
    }

    /** One call's state, shared by its views. */
    private static final class Call extends CallView.Shared {
        final int seq;
        final Terminal terminal;

        Call(Channel channel, ConnectionInfo connection, int seq, Terminal terminal) {
            super(channel, connection);
            this.seq = seq;
            this.terminal = terminal;
        }
    }

    /** One step's way on: at most once. */
    private final class Next extends CallView.Step implements IncomingInterceptor.Next {
        private final Call call;
        private final int index;

        Next(Call call, int index) {
            super(call);
            this.call = call;
            this.index = index;
        }

        @Override
        public CompletionStage<Object> proceed(IncomingCall view) {
            goingOn(view);
            return IncomingChain.this.proceed(call, index, (View) view);
        }
    }

    /** A read-only view of a call of the peer's; the {@code with} methods copy. */
    final class View extends CallView implements IncomingCall {
        final Call call;

        View(Call call, String command, Object[] args, Map<String, ?> kwargs, Map<String, String> headers) {
            super(call, command, args, kwargs, headers);
            this.call = call;
        }

        @Override
        public int seq() {
            return call.seq;
        }

        @Override
        public boolean isKnownCommand() {
            return commands.lookup(command()) != null;
        }

        @Override
        public IncomingCall withCommand(String command) {
            return new View(call, Objects.requireNonNull(command, "command"), argsArray(), kwargsMap(), headers());
        }

        @Override
        public IncomingCall withArgs(Object... args) {
            return new View(call, command(), copyArgs(args), kwargsMap(), headers());
        }

        @Override
        public IncomingCall withKwargs(Map<String, ?> kwargs) {
            return new View(call, command(), argsArray(), copyKwargs(kwargs), headers());
        }
    }
}
