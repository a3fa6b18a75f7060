package dev.kiln.verifier;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * What this verifier has proven about identical bytes, by a key naming them (a digest). Checking the same bytes again
 * through the same tool proves nothing new, so each proof is made once: a verification that needs one under way waits
 * for it rather than make it a second time. Two kinds are kept: a disk's boot, by the decoded disk's sha256 (every
 * format of a release carries the same disk), and a disk file's decoding and inspection, by the file's sha256 (the
 * OVA's disk is the VMDK format's file, byte for byte). Only successes are kept: after a failure, the next verification
 * that needs the proof makes it itself. Kept in memory, so a restarted verifier proves again. Bounded: the oldest proof
 * is forgotten first.
 */
final class Proofs<K, T> {
    /** The proof a verification ends with, and whether it made the proof itself or relied on an earlier one. */
    record Outcome<T>(T proof, boolean madeHere) {
    }

    /** The check that makes the proof: its result, or the rejection. */
    interface Check<T> {
        T run() throws Rejection, IOException, InterruptedException;
    }

    private static final int KEPT = 64;
    private final Map<K, CompletableFuture<T>> byKey = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<K, CompletableFuture<T>> eldest) {
            return size() > KEPT && eldest.getValue().isDone();
        }
    };

    /** The proof for these bytes: an earlier one, one under way (waited for), or made now by {@code check}. */
    Outcome<T> once(K key, Check<T> check) throws Rejection, IOException, InterruptedException {
        while (true) {
            CompletableFuture<T> mine = new CompletableFuture<>();
            CompletableFuture<T> earlier;
            synchronized (this) {
                earlier = byKey.putIfAbsent(key, mine);
            }
            if (earlier != null) {
                try {
                    return new Outcome<>(earlier.get(), false);
                } catch (ExecutionException failed) {
                    // That check failed (and has been forgotten): this verification makes the proof itself.
                    continue;
                }
            }
            try {
                T proof = check.run();
                mine.complete(proof);
                return new Outcome<>(proof, true);
            } catch (Rejection | IOException | InterruptedException | RuntimeException e) {
                synchronized (this) {
                    byKey.remove(key, mine);
                }
                mine.completeExceptionally(e);
                throw e;
            }
        }
    }
}
