package dev.kiln.verifier;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProofsTest {
    @Test
    void aProofUnderWayIsWaitedForNotMadeAgain() throws Exception {
        Proofs<String, String> proofs = new Proofs<>();
        AtomicInteger made = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Proofs.Outcome<String>> first = pool.submit(() -> proofs.once("disk", () -> {
                made.incrementAndGet();
                started.countDown();
                release.await();
                return "booted";
            }));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            Future<Proofs.Outcome<String>> second = pool.submit(() -> proofs.once("disk", () -> {
                made.incrementAndGet();
                return "booted again";
            }));
            Thread.sleep(200);
            assertFalse(second.isDone(), "the second did not wait for the proof under way");
            release.countDown();
            assertEquals(new Proofs.Outcome<>("booted", true), first.get(10, TimeUnit.SECONDS));
            assertEquals(new Proofs.Outcome<>("booted", false), second.get(10, TimeUnit.SECONDS));
            assertEquals(1, made.get());
            assertEquals(new Proofs.Outcome<>("other", true), proofs.once("other disk", () -> "other"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedProofIsNotKept() throws Exception {
        Proofs<String, String> proofs = new Proofs<>();
        assertThrows(Rejection.class, () -> proofs.once("disk", () -> {
            throw new Rejection("boot", "", "no marker");
        }));
        assertEquals(new Proofs.Outcome<>("booted", true), proofs.once("disk", () -> "booted"));
    }
}
