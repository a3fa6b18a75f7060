package dev.kiln.events;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Fuzz tests of the parsers of untrusted input in events/: any bytes either parse to a valid value or are refused
 * with the parser's own error, which names the problem. Nothing else may come out (no NullPointerException, no
 * stack overflow, no hang). In the test run they replay their inputs (ParsersFuzzTestInputs/); {@code ./kiln fuzz}
 * fuzzes one for a chosen time, and every crash it finds is kept there as a regression input.
 */
class ParsersFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void anEventOfAnyTypeDecodesOrIsRefusedAsMalformed(FuzzedDataProvider data) {
        EventType type = data.pickValue(EventType.values());
        String json = data.consumeRemainingAsString();
        KilnEvent event;
        try {
            event = EventCodec.decode(type.payload(), json);
        } catch (MalformedEventException refused) {
            assertFalse(refused.getMessage().isBlank());
            return;
        }
        // What decodes is a valid event: it encodes, and decodes again to itself.
        assertEquals(event, EventCodec.decode(type.payload(), EventCodec.encode(event)));
    }

    @FuzzTest(maxDuration = "5m")
    void aKilnFileParsesOrIsRefusedWithItsProblem(FuzzedDataProvider data) {
        String yaml = data.consumeRemainingAsString();
        try {
            KilnFile file = KilnFile.parse(yaml);
            assertFalse(file.image().isBlank());
        } catch (KilnFile.InvalidKilnFile refused) {
            assertFalse(refused.getMessage().isBlank());
        }
    }
}
