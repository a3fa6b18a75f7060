package dev.kiln.verifier;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * A raw file's boot, started when its verification starts, beside its digest and inspection. A raw file is its own
 * decoded disk and names no other file, so QEMU may read it before those checks end, and the boot (the longest check)
 * no longer waits for them. The boot becomes the proof for the release's disk only once those checks have shown that
 * the file is that disk: until then another format of the disk waits for it, and if they fail, the boot is stopped and
 * forgotten, and the next format that needs a boot makes its own.
 */
final class BootAhead implements AutoCloseable {
    private final CompletableFuture<Boolean> diskProven = new CompletableFuture<>();
    private final FutureTask<Proofs.Outcome<Verification.BootProof>> outcome;
    private final Thread thread;

    BootAhead(Proofs<String, Verification.BootProof> booted, String rawSha256, Proofs.Check<Verification.BootProof> boot) {
        outcome = new FutureTask<>(() -> booted.once(rawSha256, () -> {
            Verification.BootProof proof = boot.run();
            if (!shownToBeTheDisk()) {
                throw new CancellationException("the file is not shown to be the disk " + rawSha256 + ": its boot proves nothing about it");
            }
            return proof;
        }));
        thread = new Thread(outcome, "kiln-boot-ahead");
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits (interruptibly) for the checks' word on the file. */
    private boolean shownToBeTheDisk() throws InterruptedException {
        try {
            return diskProven.get();
        } catch (ExecutionException never) {
            return false; // only ever completed with a value
        }
    }

    /** The digest and inspection showed the file is the disk: the boot's outcome, once it has one. */
    Proofs.Outcome<Verification.BootProof> diskProven() throws Rejection, IOException, InterruptedException {
        diskProven.complete(true);
        try {
            return outcome.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Rejection rejection) {
                throw rejection;
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException("the boot failed: " + e.getCause(), e.getCause());
        }
    }

    /** Stops a boot the checks did not prove (its QEMU killed) and waits for it to end: the workspace outlives no QEMU. */
    @Override
    public void close() throws InterruptedException {
        diskProven.complete(false);
        outcome.cancel(true);
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }
}
