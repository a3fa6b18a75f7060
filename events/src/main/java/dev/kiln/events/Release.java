package dev.kiln.events;

import java.util.Optional;
import java.util.regex.Pattern;

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
    /** Versions end up in paths, object keys, URLs and /etc/release: a safe alphabet, never a path or shell word. */
    private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._+-]{0,127}");

    public Release {
        Require.imageName(image, "image");
        versionRefusal(Require.text(version, "version")).ifPresent(problem -> {
            throw new InvalidField("version", problem);
        });
        Require.text(tag, "tag");
        Require.text(repository, "repository");
        Require.commitSha(commit, "commit");
    }

    /** Kafka record key of release-wide events: keeps one release's events ordered on one partition. */
    public String key() {
        return image + "/" + version;
    }

    /** Empty when {@code version} may name a release; otherwise why not (the tag-watcher refuses such tags with it). */
    public static Optional<String> versionRefusal(String version) {
        if (!VERSION.matcher(version).matches() || version.contains("..")) {
            return Optional.of("version '" + version + "' must be 1-128 characters of letters, digits, '.', '_', '+', '-',"
                    + " starting with a letter or digit, without '..'");
        }
        return Optional.empty();
    }
}
