package dev.kiln.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.util.Map;

/**
 * The playbook a kiln build runs in the guest: the repository's playbook, then kiln's release-stamp and seal roles,
 * always last, so no image leaves a build unstamped or unsealed because a playbook forgot them. Written by the
 * builder for every build, and the same way by whatever must run a build as kiln does (the benchmark's bare build,
 * the seal role's test).
 */
public final class SitePlaybook {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SitePlaybook() {
    }

    /**
     * @param playbook the repository's playbook, imported first
     * @param roles    the directory holding kiln's roles, named by path so a role called seal in the repository cannot
     *                 stand in for kiln's
     * @param vars     variables of kiln's play (e.g. kiln_source_date_epoch), in order
     */
    public static String of(Path playbook, Path roles, Map<String, ?> vars) {
        StringBuilder site = new StringBuilder()
                .append("# Written by kiln: the repository's playbook, then kiln's stamp and seal, always last.\n")
                .append("- import_playbook: ").append(quoted(playbook.toAbsolutePath().toString())).append('\n')
                .append("- name: kiln release stamp and seal\n")
                .append("  hosts: all\n")
                .append("  become: true\n")
                // The stamp and seal use no facts, and gathering them costs seconds under TCG.
                .append("  gather_facts: false\n");
        if (!vars.isEmpty()) {
            site.append("  vars:\n");
            vars.forEach((name, value) -> site.append("    ").append(variable(name)).append(": ").append(quoted(value)).append('\n'));
        }
        return site.append("  roles:\n")
                .append("    - role: ").append(quoted(roles.resolve("release-stamp").toString())).append('\n')
                .append("    - role: ").append(quoted(roles.resolve("seal").toString())).append('\n')
                .toString();
    }

    private static String variable(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("'" + name + "' is not an Ansible variable name");
        }
        return name;
    }

    /** A JSON value is a valid YAML flow scalar: a path or value is quoted whatever it holds. */
    private static String quoted(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value + " into a playbook", e);
        }
    }
}
