package dev.kiln.events;

/**
 * A payload that does not meet its event's contract. The message names the event type and the field,
 * and is what lands in the dead-letter record's reason header.
 */
public final class MalformedEventException extends RuntimeException {
    private final String field;

    public MalformedEventException(EventType type, String field, String problem, Throwable cause) {
        super("malformed " + type.type() + " payload: " + (field.isEmpty() ? "" : "field '" + field + "' ") + problem, cause);
        this.field = field;
    }

    /** Dotted path of the offending field, empty when the payload as a whole is unreadable. */
    public String field() {
        return field;
    }
}
