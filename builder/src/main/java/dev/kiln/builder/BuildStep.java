package dev.kiln.builder;

/**
 * One stage of a release build, doing one thing (Packer's qemu builder, one step per file, is the model).
 * {@link BuildSteps} lists the stages in order; a stage that fails stops the build, and every stage that ran is
 * cleaned up, last first.
 */
public interface BuildStep {
    /** Stable stage id, reported in BuildFailed.stage: the class's name, e.g. {@code ReadKilnFileStep} runs as {@code read-kiln-file}. */
    default String name() {
        return nameOf(getClass());
    }

    static String nameOf(Class<? extends BuildStep> step) {
        String simple = step.getSimpleName().replaceFirst("Step$", "");
        return simple.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** Does the stage's work; throws {@link BuildFailure} with a reason a person can act on. */
    void run(BuildContext build) throws Exception;

    /** Undoes what the stage left behind that must not outlive the build. */
    default void cleanup(BuildContext build) {
    }
}
