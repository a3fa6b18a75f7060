package dev.kiln.events;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fields that grow with what went wrong are capped, with a visible marker, so every event fits the broker's limit. */
class CappedFieldsTest {
    private static final int BROKER_LIMIT = 1 << 20;

    @Test
    void aHugeBuildFailureFitsAndSaysWhatWasCut() {
        List<String> log = IntStream.range(0, 50_000).mapToObj(i -> "line " + i + " " + "x".repeat(200)).toList();
        BuildFailed failed = new BuildFailed(SampleEvents.release(), "raw", "packer-build", "y".repeat(3_000_000), log, null);
        String json = EventCodec.encode(failed);
        assertTrue(json.getBytes(StandardCharsets.UTF_8).length < BROKER_LIMIT / 4, "encoded: " + json.length());
        assertTrue(failed.reason().endsWith("more characters cut]"), failed.reason().substring(failed.reason().length() - 60));
        assertEquals(Capped.LOG_LINES, failed.logTail().size());
        assertTrue(failed.logTail().get(0).contains("earlier lines cut"), failed.logTail().get(0));
        assertTrue(failed.logTail().get(Capped.LOG_LINES - 1).startsWith("line 49999 "), "a tail keeps the end");
        // And it reads back as the same event: the cap holds on both sides.
        assertEquals(failed, EventCodec.decode(BuildFailed.class, json));
    }

    @Test
    void thousandsOfFindingsKeepTheFirstAndCountTheRest() {
        List<Finding> findings = IntStream.range(0, 5000).mapToObj(i -> new Finding("ssh-hostkeys", "/etc/ssh/k" + i, "z".repeat(10_000))).toList();
        ImageRejected rejected = new ImageRejected(SampleEvents.release(), "qcow2", SampleEvents.SHA, "file:///r.json", findings);
        assertTrue(EventCodec.encode(rejected).length() < BROKER_LIMIT, "fits the broker's limit");
        assertEquals(Capped.FINDINGS, rejected.findings().size());
        assertEquals("/etc/ssh/k0", rejected.findings().get(0).path());
        Finding last = rejected.findings().get(Capped.FINDINGS - 1);
        assertEquals("truncated", last.rule());
        assertEquals((5000 - Capped.FINDINGS + 1) + " more findings are in the report", last.message());
        assertTrue(rejected.findings().get(0).message().length() <= Capped.TEXT);
    }

    @Test
    void shortFieldsAreLeftAlone() {
        BuildFailed failed = new BuildFailed(SampleEvents.release(), "raw", "packer-build", "exit 1", List.of("a", "b"), null);
        assertEquals("exit 1", failed.reason());
        assertEquals(List.of("a", "b"), failed.logTail());
    }
}
