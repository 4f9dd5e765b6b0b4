package kaa.rpc.internal.pickle;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Protocol 0 text (UNICODE, raw-unicode-escape) cannot say that a high and a
 * low surrogate next to each other were two code points; a Java String would
 * make them one astral character, which goes back as another str. Such text
 * is refused, however the two are escaped.
 */
class Protocol0SurrogatesTest {

    private static byte[] unicodeOpcode(String escaped) {
        return ("V" + escaped + "\n.").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void twoShortEscapesAreRefused() {
        assertThatThrownBy(() -> PickleReader.load(unicodeOpcode("\\ud800\\udc00")))
                .isInstanceOf(MalformedPickleException.class);
    }

    @Test
    void twoLongEscapesAreRefusedToo() {
        assertThatThrownBy(() -> PickleReader.load(unicodeOpcode("\\U0000d800\\U0000dc00")))
                .isInstanceOf(MalformedPickleException.class);
    }

    @Test
    void aShortAndALongEscapeAreRefusedToo() {
        assertThatThrownBy(() -> PickleReader.load(unicodeOpcode("\\ud800\\U0000dc00")))
                .isInstanceOf(MalformedPickleException.class);
    }
}
