package dev.kiln.tagwatcher;

/**
 * A tag as it is in the repository now.
 *
 * @param name       tag name without refs/tags/
 * @param commit     the commit it points at, peeled
 * @param tagObject  the annotated tag object, or null for a lightweight tag
 * @param tagger     tagger of an annotated tag, else the commit's committer: "Name &lt;email&gt;"
 * @param commitTime the commit's committer time in seconds (the build's SOURCE_DATE_EPOCH)
 */
public record SeenTag(String name, String commit, String tagObject, String tagger, long commitTime) {
}
