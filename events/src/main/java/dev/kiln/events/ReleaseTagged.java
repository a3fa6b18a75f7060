package dev.kiln.events;

/**
 * A new release tag appeared in a watched repository: build it.
 *
 * @param release         the release
 * @param tagObject       the annotated tag object's id, or null for a lightweight tag
 * @param tagger          tagger (annotated) or committer (lightweight), "Name &lt;email&gt;"
 * @param sourceDateEpoch the tagged commit's time in seconds: the build's SOURCE_DATE_EPOCH
 */
public record ReleaseTagged(Release release, @OptionalField String tagObject, String tagger, long sourceDateEpoch) implements KilnEvent {
    public ReleaseTagged {
        Require.present(release, "release");
        if (tagObject != null) {
            Require.commitSha(tagObject, "tagObject");
        }
        Require.text(tagger, "tagger");
        Require.positive(sourceDateEpoch, "sourceDateEpoch");
    }
}
