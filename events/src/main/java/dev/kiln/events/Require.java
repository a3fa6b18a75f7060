package dev.kiln.events;

import java.util.regex.Pattern;

/** The checks event constructors run, so an event that exists is an event that is valid. */
final class Require {
    private static final Pattern HEX_SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    // Image and channel names end up in file names, object keys and URLs: keep them to a safe alphabet.
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private Require() {
    }

    static <T> T present(T value, String field) {
        if (value == null) {
            throw new InvalidField(field, "is missing");
        }
        return value;
    }

    static String text(String value, String field) {
        if (present(value, field).isBlank()) {
            throw new InvalidField(field, "is empty");
        }
        return value;
    }

    static boolean isName(String value) {
        return value != null && NAME.matcher(value).matches();
    }

    static String imageName(String value, String field) {
        if (!NAME.matcher(text(value, field)).matches()) {
            throw new InvalidField(field, "must be 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit, but was '" + value + "'");
        }
        return value;
    }

    static String format(String value, String field) {
        if (DiskFormat.find(text(value, field)).isEmpty()) {
            throw new InvalidField(field, "must be one of " + String.join(", ", DiskFormat.ids()) + ", but was '" + value + "'");
        }
        return value;
    }

    static String commitSha(String value, String field) {
        if (!HEX_SHA.matcher(text(value, field)).matches()) {
            throw new InvalidField(field, "must be a full lowercase hex commit id (40 or 64 characters), but was '" + value + "'");
        }
        return value;
    }

    static String sha256(String value, String field) {
        if (!SHA256.matcher(text(value, field)).matches()) {
            throw new InvalidField(field, "must be a lowercase hex sha256 (64 characters), but was '" + value + "'");
        }
        return value;
    }

    static String uuid(String value, String field) {
        if (!text(value, field).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
            throw new InvalidField(field, "must be a lowercase UUID, but was '" + value + "'");
        }
        return value;
    }

    static long positive(long value, String field) {
        if (value <= 0) {
            throw new InvalidField(field, "must be greater than zero, but was " + value);
        }
        return value;
    }

    static long notNegative(long value, String field) {
        if (value < 0) {
            throw new InvalidField(field, "must not be negative, but was " + value);
        }
        return value;
    }
}
