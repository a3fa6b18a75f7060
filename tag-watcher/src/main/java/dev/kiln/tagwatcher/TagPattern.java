package dev.kiln.tagwatcher;

import java.util.Optional;

/** A release tag glob with one {@code *}; the part the star matches is the release's version string. */
public record TagPattern(String prefix, String suffix) {

    public static TagPattern parse(String glob) {
        int star = glob.indexOf('*');
        if (star < 0 || glob.indexOf('*', star + 1) >= 0) {
            throw new IllegalArgumentException("tag pattern '" + glob + "' must contain exactly one '*' (the version), e.g. release-*");
        }
        return new TagPattern(glob.substring(0, star), glob.substring(star + 1));
    }

    /** The version the tag names, when the tag matches this pattern. */
    public Optional<String> versionOf(String tag) {
        if (tag.length() > prefix.length() + suffix.length() && tag.startsWith(prefix) && tag.endsWith(suffix)) {
            return Optional.of(tag.substring(prefix.length(), tag.length() - suffix.length()));
        }
        return Optional.empty();
    }

    boolean allowsSlash() {
        return prefix.contains("/") || suffix.contains("/");
    }

    @Override
    public String toString() {
        return prefix + "*" + suffix;
    }
}
