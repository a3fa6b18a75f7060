package dev.kiln.builder;

import java.util.List;

/** The stages of every release build, in the order they run: the one place to read what a build does. */
final class BuildSteps {
    private BuildSteps() {
    }

    static List<BuildStep> inOrder(ArtifactStore store) {
        return List.of(
                new CreateWorkspaceStep(),
                new CheckoutStep(),
                new ReadKilnFileStep(),
                new FetchUpstreamStep(),
                new SealPlaybookStep(),
                new PackerBuildStep(),
                new RemasterStep(),
                new ConvertStep(),
                new StoreStep(store));
    }

    /** A rebuild makes the same stages from scratch, then compares instead of storing. */
    static List<BuildStep> forRebuild(ArtifactStore store) {
        List<BuildStep> steps = new java.util.ArrayList<>(inOrder(store));
        steps.removeIf(step -> step instanceof StoreStep);
        steps.add(new CompareRebuildStep(store));
        return List.copyOf(steps);
    }
}
