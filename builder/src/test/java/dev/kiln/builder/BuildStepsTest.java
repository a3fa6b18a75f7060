package dev.kiln.builder;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The stages' names, which BuildFailed.stage reports, are their class names; a rebuild compares where a build stores. */
class BuildStepsTest {
    @Test
    void eachStageIsNamedAfterItsClassInTheOrderABuildRunsThem() {
        List<String> names = BuildSteps.inOrder(null).stream().map(BuildStep::name).toList();
        assertEquals(List.of("create-workspace", "checkout", "read-kiln-file", "fetch-upstream", "seal-playbook", "packer-build",
                "remaster", "convert", "store"), names);
        for (BuildStep step : BuildSteps.inOrder(null)) {
            String expected = step.getClass().getSimpleName().replace("Step", "").replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
            assertEquals(expected, step.name());
        }
    }

    @Test
    void aRebuildRunsTheSameStagesButComparesInsteadOfStoring() {
        List<String> build = BuildSteps.inOrder(null).stream().map(BuildStep::name).toList();
        List<String> rebuild = BuildSteps.forRebuild(null).stream().map(BuildStep::name).toList();
        assertEquals(build.subList(0, build.size() - 1), rebuild.subList(0, rebuild.size() - 1));
        assertEquals("compare-rebuild", rebuild.get(rebuild.size() - 1));
        Set<String> unique = rebuild.stream().collect(Collectors.toSet());
        assertEquals(rebuild.size(), unique.size());
    }
}
