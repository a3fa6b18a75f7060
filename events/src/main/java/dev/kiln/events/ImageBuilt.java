package dev.kiln.events;

/**
 * One format of a release was built, sealed and stored.
 *
 * @param release    the release
 * @param artifact   the stored file
 * @param provenance what it was built from
 * @param buildLog   where the build log is stored, as it stood when this format was stored: each format is announced
 *                   as soon as it is, while the slower formats are still being made (the whole log is stored at the
 *                   build's end under the same name)
 */
public record ImageBuilt(Release release, Artifact artifact, Provenance provenance, String buildLog) implements PerFormatEvent {
    public ImageBuilt {
        Require.present(release, "release");
        Require.present(artifact, "artifact");
        Require.present(provenance, "provenance");
        Require.text(buildLog, "buildLog");
    }

    @Override
    public String format() {
        return artifact.format();
    }
}
