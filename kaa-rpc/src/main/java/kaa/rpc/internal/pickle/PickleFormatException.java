package kaa.rpc.internal.pickle;

/**
 * Why a pickle is refused, thrown from anywhere in the reader; {@link
 * PickleReader#load} turns it into a {@link MalformedPickleException}. No
 * stack trace: a peer can make as many of these as it sends payloads.
 */
final class PickleFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    PickleFormatException(String message) {
        super(message, null, false, false);
    }
}
