package dev.kiln.events;

/**
 * A built artifact booted and its sealing held: it may be published.
 *
 * @param release      the release
 * @param format       the verified format
 * @param sha256       digest of the artifact that was verified
 * @param verification what was proved
 */
public record ImageVerified(Release release, String format, String sha256, VerificationSummary verification)
        implements PerFormatEvent {
    public ImageVerified {
        Require.present(release, "release");
        Require.format(format, "format");
        Require.sha256(sha256, "sha256");
        Require.present(verification, "verification");
    }
}
