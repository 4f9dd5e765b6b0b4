package kaa.rpc.internal.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.Map;
import kaa.rpc.internal.value.Limits;
import kaa.rpc.internal.value.WorkBudget;
import org.junit.jupiter.api.Test;

/**
 * A conversion error names the path to what failed, step by step; under a
 * recursive target type a peer chooses the depth (up to
 * {@link Limits#MAX_DEPTH}), so the path's outer steps are left out past
 * {@link ConversionException#MAX_MESSAGE}, and the message stays a message.
 */
class ConversionMessageBoundTest {

    record Dir(Map<String, Dir> entries) {
    }

    @Test
    void aDeepMismatchGivesABoundedMessage() {
        String key = "k".repeat(200);
        Object value = "not a dir"; // the mismatch, at the bottom
        for (int i = 0; i < Limits.MAX_DEPTH / 2 - 2; i++) { // two levels of the value per Dir
            Map<String, Object> entries = new LinkedHashMap<>();
            entries.put(key, value);
            Map<String, Object> dir = new LinkedHashMap<>();
            dir.put("entries", entries);
            value = dir;
        }
        try {
            Conversions.conversion(WorkBudget.forPayload(255 * (key.length() + 20))).javaWording()
                    .convert(value, Dir.class);
            fail("converted");
        } catch (ConversionException e) {
            // the payload of such a value is about 56 KB; its message should stay a message
            assertThat(e.getMessage()).hasSizeLessThanOrEqualTo(ConversionException.MAX_MESSAGE + 5).startsWith("...: ")
                    .endsWith(": expected Dir, got String \"not a dir\"");
        }
    }
}
