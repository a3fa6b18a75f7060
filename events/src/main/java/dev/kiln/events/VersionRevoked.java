package dev.kiln.events;

/**
 * A version was revoked: the registry never serves it again, by version or by channel. A deployment running it
 * moves to its channel's current version or stops, as its policy says. Sent once, through the registry's outbox.
 *
 * @param release   the revoked release
 * @param reason    why, for the people who would use it
 * @param revokedAt when (epoch milliseconds)
 */
public record VersionRevoked(Release release, String reason, long revokedAt) implements KilnEvent {
    public VersionRevoked {
        Require.present(release, "release");
        Require.text(reason, "reason");
        Require.positive(revokedAt, "revokedAt");
    }
}
