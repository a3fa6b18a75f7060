package dev.kiln.verifier;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The disks this verifier has seen boot, by the sha256 of the decoded raw disk. Every format of a release carries the
 * same disk (the builder proves it with {@code qemu-img compare}, the verifier with the decoded digest), and QEMU boots
 * a format through the same driver that decoded it, so booting the identical bytes again proves nothing new: one boot
 * per distinct disk, each other format checked offline (digest, decode, every sealing rule) and tied to that boot by
 * its decoded digest. Only successful boots are kept (a failed one is tried again); kept in memory, so a restarted
 * verifier boots again. Bounded: the oldest proof is forgotten first.
 */
final class BootProofs {
    /** One boot: the format it was booted as, how long to the marker, and when. */
    record Proof(String format, long bootMillis, Instant at) {
    }

    private static final int KEPT = 64;
    private final Map<String, Proof> byRawSha256 = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Proof> eldest) {
            return size() > KEPT;
        }
    };

    synchronized Optional<Proof> of(String rawSha256) {
        return Optional.ofNullable(byRawSha256.get(rawSha256));
    }

    synchronized void booted(String rawSha256, Proof proof) {
        byRawSha256.put(rawSha256, proof);
    }
}
