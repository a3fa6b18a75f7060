package dev.kiln.tagwatcher;

import dev.kiln.events.Release;
import org.eclipse.jgit.lib.Repository;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which tag names kiln will build. Tag names end up in paths, object keys, logs and Packer variables;
 * anything git refuses, or that could be read as a path or by a shell, is refused with the reason.
 */
public final class TagNamePolicy {
    static final int MAX_LENGTH = 128;
    private static final Pattern SHELL_META = Pattern.compile("[\\s;&|$`<>()\\\\'\"!#*?\\[\\]{}~%=,]");

    private TagNamePolicy() {
    }

    /** Empty when the tag may be built; otherwise why not. */
    public static Optional<String> refusal(String tag, TagPattern pattern) {
        if (tag.length() > MAX_LENGTH) {
            return Optional.of("longer than " + MAX_LENGTH + " characters");
        }
        if (!Repository.isValidRefName("refs/tags/" + tag)) {
            return Optional.of("not a valid git tag name");
        }
        if (tag.contains("..")) {
            return Optional.of("contains '..' (path traversal)");
        }
        if (tag.contains("/") && !pattern.allowsSlash()) {
            return Optional.of("contains '/', which the pattern " + pattern + " does not allow");
        }
        if (SHELL_META.matcher(tag).find()) {
            return Optional.of("contains whitespace or a shell metacharacter");
        }
        return Release.versionRefusal(pattern.versionOf(tag).orElse(""));
    }
}
