package kaa.rpc;

import java.io.Serializable;
import java.util.List;

/**
 * The remote side of a call threw. It carries the remote exception's type,
 * message and stack, and prints like the original:
 *
 * <pre>
 * Exception during RPC call 'fail'; remote traceback follows:
 *   File "server.py", line 20, in fail
 *     raise ValueError(msg)
 * ValueError: boom
 * </pre>
 *
 * <p>{@link #remoteType()} is the Python exception type ({@code ValueError},
 * {@code mymodule.MyError}) of a Python peer, or the Java class name of a Java
 * peer's exception ({@code java.lang.IllegalArgumentException}). Errors the
 * library itself answers with keep Python's names: an unknown command is a
 * {@code KeyError}, a bad argument a {@code TypeError}.
 */
public class RemoteException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    /** The longest remote message that {@link #getMessage()} shows whole. */
    private static final int MAX_MESSAGE = 2000;
    /**
     * The most characters of traceback that {@link #getMessage()} shows: the
     * innermost frames that fit, as a peer's frames may share their texts
     * (a few bytes of pickle can name the same long line 256 times).
     */
    private static final int MAX_TRACEBACK = 8000;

    /** The command whose call failed. */
    private final String command;
    /** The address of the peer that answered with the error, or empty. */
    private final String peer;
    /** The remote exception's type. */
    private final String remoteType;
    /** The remote exception's own message. */
    private final String remoteMessage;
    /** The remote stack, outermost call first; unmodifiable. */
    private final List<Frame> frames;

    /**
     * A remote error, with no cause and no peer named.
     *
     * @param command the command that was called
     * @param remoteType the remote exception's type
     * @param remoteMessage the remote exception's message ({@code str(exc)}), never null
     * @param frames the remote stack, outermost call first
     */
    public RemoteException(String command, String remoteType, String remoteMessage, List<Frame> frames) {
        this(command, remoteType, remoteMessage, frames, null);
    }

    /**
     * As above, with the remote exception's cause (for a Java peer, a
     * {@code RemoteException} per cause of the remote chain, innermost last).
     *
     * @param command the command that was called
     * @param remoteType the remote exception's type
     * @param remoteMessage the remote exception's message ({@code str(exc)}), never null
     * @param frames the remote stack, outermost call first
     * @param cause the remote exception's cause, or null
     */
    public RemoteException(String command, String remoteType, String remoteMessage, List<Frame> frames,
            Throwable cause) {
        this(command, "", remoteType, remoteMessage, frames, cause);
    }

    /**
     * As above, for a call to {@code peer}: the address of the channel's
     * other end, as {@link #peer()} gives it.
     *
     * @param command the command that was called
     * @param peer the peer's address, or null or empty when not known
     * @param remoteType the remote exception's type
     * @param remoteMessage the remote exception's message ({@code str(exc)}), never null
     * @param frames the remote stack, outermost call first
     * @param cause the remote exception's cause, or null
     */
    public RemoteException(String command, String peer, String remoteType, String remoteMessage, List<Frame> frames,
            Throwable cause) {
        // no stack of its own (it would show the I/O thread that read the answer); with call sites
        // recorded, where the call was made is a suppressed exception
        super(format(command, remoteType, remoteMessage, frames), cause, true, false);
        this.peer = peer == null ? "" : peer;
        this.command = command;
        this.remoteType = remoteType;
        this.remoteMessage = remoteMessage;
        this.frames = List.copyOf(frames);
    }

    /** {@return the command whose call failed} */
    public String command() {
        return command;
    }

    /**
     * {@return the peer that answered with the error: its address
     * ({@code host:port}, or the socket path), or empty when not known}
     */
    public String peer() {
        return peer;
    }

    /** {@return the remote exception's type} */
    public String remoteType() {
        return remoteType;
    }

    /** {@return the remote exception's own message, without the traceback} */
    public String remoteMessage() {
        return remoteMessage;
    }

    /** {@return the remote stack, outermost call first, as Python prints it; unmodifiable} */
    public List<Frame> frames() {
        return frames;
    }

    private static String format(String command, String type, String message, List<Frame> frames) {
        StringBuilder sb = new StringBuilder("Exception during RPC call '").append(command)
                .append("'; remote traceback follows:\n");
        // the innermost frames, as many as fit: a traceback's last lines say most
        int first = frames.size();
        int length = 0;
        while (first > 0 && (length += rendered(frames.get(first - 1))) <= MAX_TRACEBACK) {
            first--;
        }
        if (first > 0) {
            sb.append("  ... (").append(first).append(first == 1 ? " outer frame" : " outer frames")
                    .append(" left out; see frames())\n");
        }
        for (Frame f : frames.subList(first, frames.size())) {
            sb.append("  File \"").append(f.file()).append("\", line ").append(f.line())
                    .append(", in ").append(f.function()).append('\n');
            if (!f.source().isEmpty()) {
                sb.append("    ").append(f.source()).append('\n');
            }
        }
        sb.append(type);
        if (!message.isEmpty()) {
            // a peer may send a message of any length; the rendering stays readable
            sb.append(": ").append(shown(message));
        }
        return sb.toString();
    }

    /** About the characters {@link #format} writes for {@code f}. */
    private static int rendered(Frame f) {
        return 30 + f.file().length() + f.function().length() + f.source().length();
    }

    /** A remote message as a message shows it: whole up to {@value #MAX_MESSAGE} characters, else cut, saying so. */
    static String shown(String message) {
        if (message.length() <= MAX_MESSAGE) {
            return message;
        }
        return message.substring(0, MAX_MESSAGE) + "... (" + (message.length() - MAX_MESSAGE)
                + " more characters; see remoteMessage())";
    }

    /**
     * One frame of a remote stack.
     *
     * @param file the source file
     * @param line the line number
     * @param function the function (a Java peer gives {@code Class.method})
     * @param source the source line without its indentation, or empty when the peer does not have it
     * @serial exclude
     */
    public record Frame(String file, int line, String function, String source) implements Serializable {
        private static final long serialVersionUID = 1L;
    }
}
