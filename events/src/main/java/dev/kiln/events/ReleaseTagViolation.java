package dev.kiln.events;

/**
 * A release tag changed after its release was seen: it now points at another commit, or it is gone.
 * Releases are immutable, so nothing is rebuilt; this event says so loudly.
 *
 * @param release       the release as first seen; its commit is the released one
 * @param kind          {@code moved} or {@code deleted}
 * @param currentCommit where the tag points now; absent when it was deleted
 */
public record ReleaseTagViolation(Release release, String kind, @OptionalField String currentCommit) implements KilnEvent {
    public static final String MOVED = "moved";
    public static final String DELETED = "deleted";

    public ReleaseTagViolation {
        Require.present(release, "release");
        if (!MOVED.equals(kind) && !DELETED.equals(kind)) {
            throw new InvalidField("kind", "must be '" + MOVED + "' or '" + DELETED + "', but was '" + kind + "'");
        }
        if (MOVED.equals(kind)) {
            Require.commitSha(currentCommit, "currentCommit");
        }
    }
}
