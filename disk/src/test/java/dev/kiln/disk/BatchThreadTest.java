package dev.kiln.disk;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BatchThreadTest {
    @Test
    void onlyTheThreadThatAsksIsLoweredAsATool() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            int service = threads.submit(BatchThread::niceness).get();
            assumeTrue(service + ToolProcess.NICENESS <= 19, "this test runs at niceness " + service + ": no room below it to see");
            CompletableFuture<Void> lowered = new CompletableFuture<>();
            CompletableFuture<Integer> other = new CompletableFuture<>();
            // Two threads alive at once: one lowers itself, the other (the service's event handling) must not move.
            Runnable lowering = () -> {
                try {
                    assertEquals(service + ToolProcess.NICENESS, BatchThread.lowerThisThread(), "the thread that asked");
                    assertEquals(service + ToolProcess.NICENESS, BatchThread.lowerThisThread(), "asked again: lowered once, not twice");
                    lowered.complete(null);
                } catch (Throwable t) {
                    lowered.completeExceptionally(t);
                }
            };
            Runnable watching = () -> {
                try {
                    lowered.join();
                    other.complete(BatchThread.niceness());
                } catch (Throwable t) {
                    other.completeExceptionally(t);
                }
            };
            threads.submit(watching);
            threads.submit(lowering);
            lowered.get();
            assertEquals(service, other.get(), "another thread of the same process");
        } finally {
            threads.shutdownNow();
        }
    }
}
