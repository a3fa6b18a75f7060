package dev.kiln.events;

/**
 * A release tag changed after its release was seen (it now points at another commit, or it is gone), or a tag names
 * an image that another repository owns. Releases are immutable and image names belong to one repository, so nothing
 * is built; this event says so loudly.
 *
 * @param release       the release as first seen (for a foreign image: as the tag would have released it)
 * @param kind          {@code moved}, {@code deleted} or {@code foreign-image}
 * @param currentCommit where the tag points now; absent when it was deleted
 * @param reason        why, for a person; absent for moved and deleted tags in events of earlier kiln versions
 */
public record ReleaseTagViolation(Release release, String kind, @OptionalField String currentCommit, @OptionalField String reason)
        implements KilnEvent {
    public static final String MOVED = "moved";
    public static final String DELETED = "deleted";
    public static final String FOREIGN_IMAGE = "foreign-image";

    /** A moved or deleted tag, without a reason beyond its kind. */
    public ReleaseTagViolation(Release release, String kind, String currentCommit) {
        this(release, kind, currentCommit, null);
    }

    public ReleaseTagViolation {
        Require.present(release, "release");
        if (!MOVED.equals(kind) && !DELETED.equals(kind) && !FOREIGN_IMAGE.equals(kind)) {
            throw new InvalidField("kind", "must be '" + MOVED + "', '" + DELETED + "' or '" + FOREIGN_IMAGE + "', but was '" + kind + "'");
        }
        if (FOREIGN_IMAGE.equals(kind)) {
            Require.text(reason, "reason");
        }
        reason = Capped.text(reason, Capped.TEXT);
        if (MOVED.equals(kind)) {
            Require.commitSha(currentCommit, "currentCommit");
        }
    }
}
