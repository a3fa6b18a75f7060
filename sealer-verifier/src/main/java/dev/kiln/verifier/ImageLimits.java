package dev.kiln.verifier;

/**
 * How much an image may ask of the verifier: an image past a limit is refused before the work it would cause (a
 * decode to an exabyte of raw disk, an OVA of a million entries), with the setting that moves the limit.
 *
 * @param maxVirtualSize bytes of disk an image may declare ({@code kiln.verifier.max-virtual-size-gib})
 * @param maxOvaEntries  files an OVA may hold ({@code kiln.verifier.max-ova-entries}); kiln's hold three
 */
public record ImageLimits(long maxVirtualSize, int maxOvaEntries) {
    public static final int DEFAULT_MAX_VIRTUAL_SIZE_GIB = 256;
    public static final int DEFAULT_MAX_OVA_ENTRIES = 16;

    public static ImageLimits defaults() {
        return new ImageLimits((long) DEFAULT_MAX_VIRTUAL_SIZE_GIB << 30, DEFAULT_MAX_OVA_ENTRIES);
    }

    /** Why {@code what} of {@code bytes} is refused, when it is over the size limit. */
    java.util.Optional<String> oversize(String what, long bytes) {
        return bytes > maxVirtualSize || bytes < 0 ? java.util.Optional.of(what + " is " + Long.toUnsignedString(bytes) + " bytes; kiln reads at most "
                + (maxVirtualSize >> 30) + " GiB (kiln.verifier.max-virtual-size-gib)") : java.util.Optional.empty();
    }

    public static ImageLimits of(VerifierConfig config) {
        return new ImageLimits((long) config.maxVirtualSizeGib() << 30, config.maxOvaEntries());
    }
}
