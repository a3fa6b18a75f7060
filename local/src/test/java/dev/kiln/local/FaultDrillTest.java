package dev.kiln.local;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultDrillTest {
    @Test
    void aStrikePlannedPastItsStageLandsAsTheStageBeginsToClose() throws InterruptedException {
        Instant start = Instant.now();
        Instant closesAt = start.plusMillis(300);
        boolean closing = FaultDrill.awaitStrike(start.plus(Duration.ofMinutes(3)), () -> Instant.now().isAfter(closesAt));
        Duration waited = Duration.between(start, Instant.now());
        assertTrue(closing, "the stage was closing");
        assertTrue(waited.compareTo(Duration.ofMillis(300)) >= 0 && waited.compareTo(Duration.ofSeconds(5)) < 0,
                "struck " + waited.toMillis() + " ms in, the stage began to close at 300 ms");
    }

    @Test
    void aStrikeWithinItsStageWaitsForItsPlannedMoment() throws InterruptedException {
        Instant start = Instant.now();
        AtomicInteger looks = new AtomicInteger();
        boolean closing = FaultDrill.awaitStrike(start.plusMillis(500), () -> {
            looks.incrementAndGet();
            return false;
        });
        Duration waited = Duration.between(start, Instant.now());
        assertFalse(closing);
        assertTrue(waited.compareTo(Duration.ofMillis(500)) >= 0, "struck " + waited.toMillis() + " ms in, planned at 500 ms");
        assertTrue(looks.get() > 1, "the stage was looked at while waiting, " + looks.get() + " times");
    }
}
