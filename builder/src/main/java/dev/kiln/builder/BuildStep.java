package dev.kiln.builder;

/**
 * One stage of a release build, doing one thing (Packer's qemu builder, one step per file, is the model).
 * {@link BuildSteps} lists the stages in order; a stage that fails stops the build, and every stage that ran is
 * cleaned up, last first.
 */
public interface BuildStep {
    /** Stable stage id, reported in BuildFailed.stage, e.g. {@code upstream}. */
    String name();

    /** Does the stage's work; throws {@link BuildFailure} with a reason a person can act on. */
    void run(BuildContext build) throws Exception;

    /** Undoes what the stage left behind that must not outlive the build. */
    default void cleanup(BuildContext build) {
    }
}
