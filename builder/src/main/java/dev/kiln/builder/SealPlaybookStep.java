package dev.kiln.builder;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * seal-playbook: the playbook Packer runs is kiln's, not the repository's: it imports the repository's playbook and then
 * applies kiln's release-stamp and seal roles, last, so no image leaves the builder unstamped or unsealed
 * because a playbook forgot them. The seal role's final step runs as the build's shutdown command.
 */
final class SealPlaybookStep implements BuildStep {
    private static final ObjectMapper JSON = new ObjectMapper();


    @Override
    public void run(BuildContext build) throws Exception {
        Path installed = build.config().ansibleRoles().toAbsolutePath().normalize();
        for (String role : new String[] {"seal", "release-stamp"}) {
            if (!Files.isDirectory(installed.resolve(role))) {
                throw new BuildFailure("kiln's " + role + " role is not in " + installed + " (kiln.builder.ansible-roles); the builder is installed incompletely");
            }
        }
        Path roles = KilnRoles.readable(installed);
        // A JSON string is a valid YAML scalar: the path is quoted whatever it holds.
        String site = "# Written by kiln for this build: the repository's playbook, then kiln's stamp and seal, always last.\n"
                + "- import_playbook: " + JSON.writeValueAsString(build.playbook().toAbsolutePath().toString()) + "\n"
                + "- name: kiln release stamp and seal\n"
                + "  hosts: all\n"
                + "  become: true\n"
                // The stamp and seal use no facts, and gathering them costs seconds under TCG.
                + "  gather_facts: false\n"
                // The seal clamps times to it, whether or not the repository's template passes it.
                + "  vars:\n"
                + "    kiln_source_date_epoch: " + build.tagged().sourceDateEpoch() + "\n"
                + "  roles:\n"
                // By path, not by name: a role called seal in the repository cannot stand in for kiln's.
                + "    - role: " + JSON.writeValueAsString(roles.resolve("release-stamp").toString()) + "\n"
                + "    - role: " + JSON.writeValueAsString(roles.resolve("seal").toString()) + "\n";
        Path file = build.workspace().resolve("kiln-site.yml");
        Files.writeString(file, site);
        build.sitePlaybook(file);
        build.log("playbook: " + build.kilnFile().build().playbook() + ", then kiln's release-stamp and seal");
    }
}
