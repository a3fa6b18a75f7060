package dev.kiln.verifier;

import java.io.IOException;
import java.util.concurrent.Semaphore;

/**
 * The part of verifications that reads images on the host (fetching, digesting, decoding, inspecting), at most
 * {@code permits} at once. Boots are bounded apart (BootTest), and a verification waiting for a proof another one is
 * making (its disk's boot, its disk file's decoding) holds no permit: on a small host the formats of a release are
 * decoded while their one boot runs, instead of waiting in line behind formats that only wait.
 */
final class OfflineWork {
    private final Semaphore permits;

    OfflineWork(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("kiln.verifier.concurrency must be at least 1, not " + permits);
        }
        // Fair: formats are taken in the order they came.
        this.permits = new Semaphore(permits, true);
    }

    /** One verification's turn; it holds no permit until its first piece of work. */
    Turn turn() {
        return new Turn();
    }

    /**
     * A verification's permit: taken at its first piece of work and kept across the next (so a format being read is
     * not sent to the back of the line between its digest and its decoding), given up while it waits or boots.
     * Used by one thread.
     */
    final class Turn implements AutoCloseable {
        private boolean held;

        <T> T run(Proofs.Check<T> work) throws Rejection, IOException, InterruptedException {
            if (!held) {
                permits.acquire();
                held = true;
            }
            return work.run();
        }

        /** Gives the permit up until the next piece of work. */
        void pause() {
            if (held) {
                held = false;
                permits.release();
            }
        }

        @Override
        public void close() {
            pause();
        }
    }
}
