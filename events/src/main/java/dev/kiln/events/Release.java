package dev.kiln.events;

/**
 * Which release an event is about: every event carries one, so any consumer can tell image, version,
 * source repository and exact commit without looking anything up.
 *
 * @param image      image name from kiln.yaml, e.g. {@code debian-web}
 * @param version    version string derived from the tag, e.g. {@code 0.1.0}
 * @param tag        the release tag as pushed, e.g. {@code release-0.1.0}
 * @param repository where the tag was seen (URL or path as configured)
 * @param commit     the commit the tag points at (peeled), full hex id
 */
public record Release(String image, String version, String tag, String repository, String commit) {
    public Release {
        Require.imageName(image, "image");
        Require.text(version, "version");
        Require.text(tag, "tag");
        Require.text(repository, "repository");
        Require.commitSha(commit, "commit");
    }

    /** Kafka record key of release-wide events: keeps one release's events ordered on one partition. */
    public String key() {
        return image + "/" + version;
    }
}
