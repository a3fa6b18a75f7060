package dev.kiln.events;

import java.util.List;

/**
 * Someone asked to rebuild a released tag from scratch and compare it with what was published (kiln rebuild).
 * The registry sends it; a builder rebuilds in a fresh workspace and answers with {@link ImageRebuilt}.
 *
 * @param rebuildId       the rebuild's id (a UUID), which the answer carries
 * @param release         the release to rebuild
 * @param sourceDateEpoch the release's SOURCE_DATE_EPOCH, as recorded in its provenance
 * @param recorded        the artifacts the registry recorded for the release, one per format built
 */
public record RebuildRequested(String rebuildId, Release release, long sourceDateEpoch, List<Artifact> recorded) implements KilnEvent {
    public RebuildRequested {
        Require.uuid(rebuildId, "rebuildId");
        Require.present(release, "release");
        Require.positive(sourceDateEpoch, "sourceDateEpoch");
        recorded = List.copyOf(Require.present(recorded, "recorded"));
        if (recorded.isEmpty()) {
            throw new InvalidField("recorded", "must list at least one recorded artifact: a release with none has nothing to compare");
        }
    }

    /** The release as a tag event, which is what a builder builds from. */
    public ReleaseTagged asTagged() {
        return new ReleaseTagged(release, null, "kiln rebuild " + rebuildId, sourceDateEpoch);
    }
}
