package dev.kiln.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What users copy to start: the example's files are valid for the tools that run them, and documented. */
class ExampleRepositoryTest {
    private static final Path ROOT = Path.of(System.getProperty("kiln.repo.root", ".."));
    private static final Path EXAMPLE = ROOT.resolve("examples");

    @Test
    void everyKilnYamlKeyIsDocumented() throws Exception {
        JsonNode kilnYaml = new ObjectMapper(new YAMLFactory()).readTree(EXAMPLE.resolve("kiln.yaml").toFile());
        String reference = Files.readString(ROOT.resolve("docs/kiln-yaml.md"));
        List<String> keys = new ArrayList<>();
        collectKeys(kilnYaml, "", keys);
        assertTrue(keys.contains("upstream.sha256"), keys.toString());
        for (String key : keys) {
            assertTrue(reference.contains("| `" + key + "` |"), "docs/kiln-yaml.md does not describe " + key);
        }
        assertTrue(Files.exists(EXAMPLE.resolve(kilnYaml.path("build").path("template").asText())));
        assertTrue(Files.exists(EXAMPLE.resolve(kilnYaml.path("build").path("playbook").asText())));
    }

    @Test
    void thePackerTemplateValidatesOnPacker166WithTheVariablesKilnPasses(@TempDir Path tmp) throws Exception {
        Path upstream = tmp.resolve("upstream.qcow2");
        Files.writeString(upstream, "not booted by validate");
        Path key = tmp.resolve("build_key");
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()), tmp, Map.of());
        List<String> command = new ArrayList<>(List.of("packer", "validate"));
        Map<String, String> vars = new java.util.TreeMap<>(Map.of(
                "image_name", "debian-chrony", "version", "0.1.0", "commit", "3f786850e387550fdab836ed7e6dc881de23001b",
                "source_date_epoch", "1764000000", "upstream_image", upstream.toString(),
                "upstream_sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "output_dir", tmp.resolve("out").toString(), "ssh_private_key_file", key.toString(),
                "kiln_roles_dir", ROOT.resolve("builder/ansible/roles").toString()));
        vars.put("playbook_file", EXAMPLE.resolve("ansible/playbook.yml").toString());
        vars.forEach((name, value) -> command.addAll(List.of("-var", name + "=" + value)));
        command.add(EXAMPLE.resolve("packer/image.pkr.hcl").toString());
        assertEquals("", run(command, tmp, Map.of()));
    }

    @Test
    void thePlaybookAndKilnsRolesPassAnsiblesSyntaxCheck(@TempDir Path tmp) throws Exception {
        Path inventory = tmp.resolve("inventory");
        Files.writeString(inventory, "image ansible_host=127.0.0.1\n");
        run(List.of("ansible-playbook", "--syntax-check", "-i", inventory.toString(),
                EXAMPLE.resolve("ansible/playbook.yml").toString()), tmp,
                Map.of("ANSIBLE_ROLES_PATH", EXAMPLE.resolve("ansible/roles") + ":" + ROOT.resolve("builder/ansible/roles")));
    }

    /** Runs a tool; fails with its output unless it exits 0; returns what it printed beyond a success line. */
    private static String run(List<String> command, Path dir, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + " failed:\n" + out);
        return out.replaceAll("(?m)^(The configuration is valid\\.|Template validated successfully\\.)\\R?", "").trim();
    }

    private static void collectKeys(JsonNode node, String prefix, List<String> keys) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = prefix + field.getKey();
            if (field.getValue().isObject()) {
                collectKeys(field.getValue(), key + ".", keys);
            } else {
                keys.add(key);
            }
        }
    }
}
