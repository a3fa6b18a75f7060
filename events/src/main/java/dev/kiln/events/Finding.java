package dev.kiln.events;

/**
 * One thing a sealing rule found in an image.
 *
 * @param rule    the rule's stable id, e.g. {@code ssh-hostkeys}
 * @param path    the path in the image it concerns
 * @param message what is wrong, for a person
 */
public record Finding(String rule, String path, String message) {
    public Finding {
        Require.text(rule, "rule");
        Require.present(path, "path");
        Require.text(message, "message");
        path = Capped.text(path, Capped.TEXT);
        message = Capped.text(message, Capped.TEXT);
    }
}
