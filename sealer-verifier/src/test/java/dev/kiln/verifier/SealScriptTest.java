package dev.kiln.verifier;

import dev.kiln.disk.ToolProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seal role's one script (templates/seal.sh.j2), rendered by Ansible as the role renders it, around stand-in rules
 * that touch only this test's directory: the rules run in order, each keeps its {@code set -e}, and the first that fails
 * stops the seal with a non-zero exit that names it. (The real rules run in a guest: SealRoleTest.)
 */
class SealScriptTest {
    private static final Path SEAL_ROLE = Path.of(System.getProperty("kiln.repo.root", "..")).resolve("builder/ansible/roles/seal");

    @TempDir
    Path temp;

    @Test
    void rulesRunInOrderAndTheFirstThatFailsStopsTheSealAndIsNamed() throws Exception {
        Path role = Files.createDirectories(temp.resolve("roles/stand-in-seal"));
        Path rules = Files.createDirectories(role.resolve("templates/rules"));
        Files.copy(SEAL_ROLE.resolve("templates/seal.sh.j2"), role.resolve("templates/seal.sh.j2"));
        Path ran = temp.resolve("ran");
        Files.writeString(rules.resolve("first.sh"), "set -e\necho first >> " + ran + "\nleft_by_first=1\n");
        // set -e must hold inside a rule: `false` stops it before the line after, and the seal with it.
        Files.writeString(rules.resolve("failing.sh"), "set -e\n[ -z \"${left_by_first:-}\" ]\nfalse\necho failing-went-on >> " + ran + "\n");
        Files.writeString(rules.resolve("never.sh"), "echo never >> " + ran + "\n");
        Files.createDirectories(role.resolve("tasks"));
        Files.writeString(role.resolve("tasks/main.yml"), """
                - name: Render the seal script as the seal role does
                  ansible.builtin.copy:
                    content: "{{ lookup('ansible.builtin.template', 'seal.sh.j2') }}"
                    dest: %s
                  vars:
                    kiln_seal_rules: [first, failing, never]
                """.formatted(temp.resolve("seal.sh")));
        Path play = Files.writeString(temp.resolve("play.yml"), """
                - hosts: localhost
                  connection: local
                  gather_facts: false
                  roles: [stand-in-seal]
                """);
        ToolProcess.Result rendered = ToolProcess.run(List.of("ansible-playbook", "-i", "localhost,", play.toString()), temp,
                Map.of("ANSIBLE_ROLES_PATH", temp.resolve("roles").toString(), "ANSIBLE_NOCOLOR", "True",
                        "ANSIBLE_LOCALHOST_WARNING", "False"), Duration.ofMinutes(2), line -> { });
        assertTrue(rendered.ok(), "ansible-playbook:\n" + rendered.text());

        ToolProcess.Result sealed = ToolProcess.run(List.of("sh", temp.resolve("seal.sh").toString()), temp, Map.of(),
                Duration.ofMinutes(1), line -> { });
        assertFalse(sealed.ok(), sealed.text());
        assertEquals(1, sealed.exitCode(), sealed.text());
        assertTrue(sealed.text().contains("the failing rule's script failed (exit 1); the image is not sealed"), sealed.text());
        assertEquals(List.of("first"), Files.readAllLines(ran), "the rule before ran, the failing one stopped at its failure, none after it ran");
    }
}
