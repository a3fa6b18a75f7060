package dev.kiln.builder;

import dev.kiln.events.BuildFailed;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Release;
import dev.kiln.events.ReleaseTagged;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole-build deadline, on fake stages run by the real ReleaseBuild. */
class ReleaseBuildDeadlineTest {
    /** Waits as a stage waits for its tool. */
    static final class SlowToolStep implements BuildStep {
        @Override
        public void run(BuildContext build) throws Exception {
            Thread.sleep(60_000);
        }
    }

    /** Busy in plain Java, deaf to interrupts, a little past the deadline. */
    static final class BusyStep implements BuildStep {
        @Override
        public void run(BuildContext build) {
            Instant until = Instant.now().plusMillis(1500);
            while (Instant.now().isBefore(until)) {
                Thread.onSpinWait();
            }
        }
    }

    static final class NeverReachedStep implements BuildStep {
        @Override
        public void run(BuildContext build) {
            throw new AssertionError("a stage after the deadline ran");
        }
    }

    private static BuilderConfig config(String deadline) {
        return StepContexts.config(Map.of("kiln.builder.deadline", deadline));
    }

    private static ReleaseTagged tagged() {
        return new ReleaseTagged(new Release("debian-chrony", "0.1.0", "release-0.1.0", "file:///srv/images.git",
                "0123456789abcdef0123456789abcdef01234567"), null, "Tess Tagger <tess@example.com>", 1_700_000_000L);
    }

    @Test
    void aBuildPastItsDeadlineIsStoppedAndFailsWithTheStageItWasIn() {
        ReleaseBuild build = new ReleaseBuild(() -> List.of(new SlowToolStep(), new NeverReachedStep()), null, config("1s"), Map.of());
        Instant start = Instant.now();
        List<KilnEvent> events = build.run(tagged());
        assertTrue(Duration.between(start, Instant.now()).toSeconds() < 10, "stopped at the deadline, not after the stage");
        assertFalse(events.isEmpty());
        for (KilnEvent event : events) {
            BuildFailed failed = (BuildFailed) event;
            assertEquals("slow-tool", failed.stage());
            assertTrue(failed.reason().contains("deadline of 1s (kiln.builder.deadline)"), failed.reason());
        }
        assertFalse(Thread.currentThread().isInterrupted(), "the thread goes on to its next record unharmed");
    }

    @Test
    void aStageDeafToInterruptsStillEndsTheBuildWhenItReturns() {
        ReleaseBuild build = new ReleaseBuild(() -> List.of(new BusyStep(), new NeverReachedStep()), null, config("1s"), Map.of());
        List<KilnEvent> events = build.run(tagged());
        BuildFailed failed = (BuildFailed) events.get(0);
        assertEquals("busy", failed.stage());
        assertTrue(failed.reason().contains("deadline"), failed.reason());
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void aBuildWithinItsDeadlineIsNotTouched() throws Exception {
        ReleaseBuild build = new ReleaseBuild(() -> List.of(new BusyStep()), null, config("1h"), Map.of());
        List<KilnEvent> events = build.run(tagged());
        // No stage made an artifact, so every format is "not made" — but not for the deadline.
        assertTrue(events.stream().noneMatch(e -> ((BuildFailed) e).reason().contains("deadline")), events.toString());
        Thread.sleep(100);
        assertFalse(Thread.currentThread().isInterrupted());
    }
}
