package dev.kiln.events;

/** A payload value that breaks its contract; names the field so the sender can fix it. */
public final class InvalidField extends IllegalArgumentException {
    private final String field;

    public InvalidField(String field, String problem) {
        super("field '" + field + "' " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }

    public String problem() {
        return getMessage().substring(("field '" + field + "' ").length());
    }
}
