package dev.kiln.verifier;

import dev.kiln.verifier.rules.SealingRule;
import dev.kiln.verifier.rules.SealingRules;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seal and check are one pair: every sealing rule the verifier checks has the seal task file of the same name in
 * kiln's seal role (release-stamp: its own role), the role runs every one of them, and no task file is without a rule.
 */
class SealTasksTest {
    private static final Path ROLES = Path.of(System.getProperty("kiln.repo.root", "..")).resolve("builder/ansible/roles");

    @Test
    void everyRuleHasItsSealTaskAndEverySealTaskItsRule() throws IOException {
        Set<String> rules = SealingRules.all().stream().map(SealingRule::id).collect(Collectors.toCollection(TreeSet::new));
        Set<String> taskFiles;
        try (Stream<Path> files = Files.list(ROLES.resolve("seal/tasks"))) {
            taskFiles = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml") && !n.equals("main.yml"))
                    .map(n -> n.substring(0, n.length() - ".yml".length())).collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> sealed = new TreeSet<>(taskFiles);
        assertTrue(Files.isRegularFile(ROLES.resolve("release-stamp/tasks/main.yml")), "release-stamp has its own role");
        sealed.add("release-stamp");
        assertEquals(rules, sealed, "seal task files (builder/ansible/roles/seal/tasks/<rule>.yml) and sealing rules differ");
    }

    @Test
    void theSealRoleRunsEveryTaskFileOnceWithTheBuildLoginLast() throws IOException {
        List<String> loop = Files.readAllLines(ROLES.resolve("seal/tasks/main.yml")).stream()
                .filter(line -> line.matches("\\s+- [a-z-]+\\s*")).map(String::strip).map(line -> line.substring(2)).toList();
        Set<String> taskFiles;
        try (Stream<Path> files = Files.list(ROLES.resolve("seal/tasks"))) {
            taskFiles = files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("main.yml"))
                    .map(n -> n.replace(".yml", "")).collect(Collectors.toSet());
        }
        assertEquals(taskFiles, Set.copyOf(loop), "main.yml includes: " + loop);
        assertEquals(loop.size(), Set.copyOf(loop).size(), "each once");
        assertEquals("build-credentials", loop.get(loop.size() - 1), "the login is removed last");
    }
}
