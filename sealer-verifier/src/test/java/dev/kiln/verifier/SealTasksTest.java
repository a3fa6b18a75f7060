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
 * Seal and check are one pair: every sealing rule the verifier checks has the seal script of the same name in kiln's
 * seal role (templates/rules/&lt;rule&gt;.sh; release-stamp: its own role), the role runs every one of them, and no script is
 * without a rule.
 */
class SealTasksTest {
    private static final Path ROLES = Path.of(System.getProperty("kiln.repo.root", "..")).resolve("builder/ansible/roles");

    @Test
    void everyRuleHasItsSealScriptAndEverySealScriptItsRule() throws IOException {
        Set<String> rules = SealingRules.all().stream().map(SealingRule::id).collect(Collectors.toCollection(TreeSet::new));
        Set<String> sealed = new TreeSet<>(sealScripts());
        assertTrue(Files.isRegularFile(ROLES.resolve("release-stamp/tasks/main.yml")), "release-stamp has its own role");
        sealed.add("release-stamp");
        assertEquals(rules, sealed, "seal scripts (builder/ansible/roles/seal/templates/rules/<rule>.sh) and sealing rules differ");
    }

    @Test
    void theSealRoleRunsEveryScriptOnceWithTheBuildLoginLast() throws IOException {
        List<String> order = Files.readAllLines(ROLES.resolve("seal/tasks/main.yml")).stream()
                .filter(line -> line.matches("\\s+- [a-z-]+\\s*")).map(String::strip).map(line -> line.substring(2)).toList();
        assertEquals(sealScripts(), Set.copyOf(order), "main.yml's kiln_seal_rules: " + order);
        assertEquals(order.size(), Set.copyOf(order).size(), "each once");
        assertEquals("build-credentials", order.get(order.size() - 1), "the login is removed last");
    }

    private static Set<String> sealScripts() throws IOException {
        try (Stream<Path> files = Files.list(ROLES.resolve("seal/templates/rules"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sh"))
                    .map(n -> n.substring(0, n.length() - ".sh".length())).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
