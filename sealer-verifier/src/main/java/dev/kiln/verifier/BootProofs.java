package dev.kiln.verifier;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The disks this verifier has seen boot, by the sha256 of the decoded raw disk. Every format of a release carries the
 * same disk (the builder proves it with {@code qemu-img compare}, the verifier with the decoded digest), and QEMU boots
 * a format through the same driver that decoded it, so booting the identical bytes again proves nothing new: one boot
 * per distinct disk, each other format checked offline (digest, decode, every sealing rule) and tied to that boot by
 * its decoded digest. Formats verified side by side wait for the boot of their disk that is under way rather than
 * start a second one. Only successful boots are kept (after a failed one, the next format boots for itself); kept in
 * memory, so a restarted verifier boots again. Bounded: the oldest proof is forgotten first.
 */
final class BootProofs {
    /** One boot: the format it was booted as, how long to the marker, and when. */
    record Proof(String format, long bootMillis, Instant at) {
    }

    /** The proof a verification ends with, and whether it booted the disk itself or relied on an earlier boot. */
    record Outcome(Proof proof, boolean bootedHere) {
    }

    /** A boot of the disk, as the boot test does it: milliseconds to the marker, or the rejection. */
    interface Boot {
        long run() throws Rejection, IOException, InterruptedException;
    }

    private static final int KEPT = 64;
    private final Map<String, CompletableFuture<Proof>> byRawSha256 = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<Proof>> eldest) {
            return size() > KEPT && eldest.getValue().isDone();
        }
    };

    /** The disk's boot: an earlier one, one under way (waited for), or this one. */
    Outcome bootOnce(String rawSha256, String format, Boot boot) throws Rejection, IOException, InterruptedException {
        while (true) {
            CompletableFuture<Proof> mine = new CompletableFuture<>();
            CompletableFuture<Proof> earlier;
            synchronized (this) {
                earlier = byRawSha256.putIfAbsent(rawSha256, mine);
            }
            if (earlier != null) {
                try {
                    return new Outcome(earlier.get(), false);
                } catch (ExecutionException failed) {
                    // That boot failed (and has been forgotten): this format gets a boot of its own.
                    continue;
                }
            }
            try {
                Proof proof = new Proof(format, boot.run(), Instant.now());
                mine.complete(proof);
                return new Outcome(proof, true);
            } catch (Rejection | IOException | InterruptedException | RuntimeException e) {
                synchronized (this) {
                    byRawSha256.remove(rawSha256, mine);
                }
                mine.completeExceptionally(e);
                throw e;
            }
        }
    }
}
