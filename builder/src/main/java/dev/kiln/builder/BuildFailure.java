package dev.kiln.builder;

/** A build stage could not do its job, for a reason the image's maintainers can act on. */
public final class BuildFailure extends Exception {
    public BuildFailure(String reason) {
        super(reason);
    }

    public BuildFailure(String reason, Throwable cause) {
        super(reason, cause);
    }
}
