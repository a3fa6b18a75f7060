package dev.kiln.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InterruptedIOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Sha256Test {
    @TempDir
    Path temp;

    @Test
    void aFilesDigestIsItsSha256() throws Exception {
        Path file = Files.writeString(temp.resolve("abc"), "abc");
        // FIPS 180-2's first example.
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256.of(file));
    }

    /** What a deadline relies on: a verification past it must not go on reading a large disk for a minute. */
    @Test
    void anInterruptStopsTheDigestOfALargeFileAtOnceAndTheThreadStaysInterrupted() throws Exception {
        Path large = temp.resolve("large.raw");
        try (RandomAccessFile file = new RandomAccessFile(large.toFile(), "rw")) {
            file.setLength(64L << 30);
        }
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread digesting = new Thread(() -> {
            try {
                Sha256.of(large);
                ended.complete(null);
            } catch (Throwable e) {
                ended.complete(Thread.currentThread().isInterrupted() ? e : new AssertionError("the interrupt was cleared", e));
            }
        });
        digesting.start();
        Thread.sleep(300);
        long interrupted = System.nanoTime();
        digesting.interrupt();
        Throwable outcome = ended.get(10, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - interrupted);
        assertInstanceOf(InterruptedIOException.class, outcome, String.valueOf(outcome));
        // 64 GiB take minutes to read; one chunk takes milliseconds.
        assertTrue(millis < 2000, "stopped " + millis + " ms after the interrupt");
    }
}
