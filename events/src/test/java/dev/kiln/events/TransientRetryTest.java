package dev.kiln.events;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TransientRetryTest {
    @Test
    void aTransientFailureIsTriedAgainUntilItSucceeds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String result = TransientRetry.untilDone("the store", () -> {
            if (calls.incrementAndGet() < 4) {
                throw new IOException("connection refused");
            }
            return "stored";
        }, Duration.ofMillis(10), Duration.ofMillis(40));
        assertEquals("stored", result);
        assertEquals(4, calls.get());
    }

    @Test
    void aMalformedEventIsNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        assertThrows(MalformedEventException.class, () -> TransientRetry.untilDone("decoding", () -> {
            calls.incrementAndGet();
            throw new MalformedEventException(EventType.IMAGE_BUILT, "release", "is missing", null);
        }, Duration.ofMillis(10), Duration.ofMillis(40)));
        assertEquals(1, calls.get());
    }

    @Test
    void stoppingTheServiceEndsTheWaiting() throws Exception {
        Thread worker = new Thread(() -> {
            try {
                TransientRetry.untilDone("a broker that never comes back", () -> {
                    throw new IOException("down");
                }, Duration.ofSeconds(30), Duration.ofSeconds(30));
            } catch (InterruptedException expected) {
                Thread.currentThread().interrupt();
            }
        });
        worker.start();
        Thread.sleep(200);
        worker.interrupt();
        worker.join(5000);
        assertEquals(false, worker.isAlive());
    }
}
