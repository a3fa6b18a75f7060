package dev.kiln.tagwatcher;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the watcher knows about one tag of one repository, as kept in the ledger topic.
 *
 * @param repository    the watched repository's name
 * @param tag           the tag name; empty for the repository's own "watching since" marker
 * @param status        what was done about the tag
 * @param commit        the commit the tag pointed at when it was first seen (the released commit)
 * @param currentCommit where a moved tag points now
 * @param version       the version the tag names
 * @param image         the image name read from kiln.yaml, once released
 * @param reason        why a tag was refused
 * @param recordedAt    when this entry was written, ISO-8601
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LedgerEntry(String repository, String tag, Status status, String commit, String currentCommit,
                          String version, String image, String reason, String recordedAt) {

    public enum Status {
        /** The repository has been scanned once: tags seen later are new. */
        WATCHING,
        /** ReleaseTagged was emitted. */
        RELEASED,
        /** The tag was there before the repository was watched; recorded, not built. */
        EXISTING,
        /** The tag is not buildable (unsafe name, no valid kiln.yaml); see reason. */
        REFUSED,
        /** A released tag now points at another commit; a violation was emitted. */
        MOVED,
        /** A released tag is gone from the repository; a violation was emitted. */
        DELETED
    }

    LedgerEntry withStatus(Status next, String current, String at) {
        return new LedgerEntry(repository, tag, next, commit, current, version, image, reason, at);
    }

    /** Ledger record key: one compacted slot per repository and tag. */
    static String key(String repository, String tag) {
        return repository + ":refs/tags/" + tag;
    }

    String key() {
        return key(repository, tag);
    }
}
