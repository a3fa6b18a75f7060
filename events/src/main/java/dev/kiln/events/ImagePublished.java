package dev.kiln.events;

/**
 * A verified format of a release is in the registry and may be provisioned from.
 *
 * @param release      the release
 * @param artifact     the stored file
 * @param provenance   what it was built from
 * @param verification what the sealer-verifier proved
 */
public record ImagePublished(Release release, Artifact artifact, Provenance provenance, VerificationSummary verification)
        implements PerFormatEvent {
    public ImagePublished {
        Require.present(release, "release");
        Require.present(artifact, "artifact");
        Require.present(provenance, "provenance");
        Require.present(verification, "verification");
    }

    @Override
    public String format() {
        return artifact.format();
    }
}
