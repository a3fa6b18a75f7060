package dev.kiln.builder;

import dev.kiln.events.SitePlaybook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * seal-playbook: the playbook Packer runs is kiln's, not the repository's: it imports the repository's playbook and then
 * applies kiln's release-stamp and seal roles, last, so no image leaves the builder unstamped or unsealed
 * because a playbook forgot them. The seal role's final step runs as the build's shutdown command.
 */
final class SealPlaybookStep implements BuildStep {

    @Override
    public void run(BuildContext build) throws Exception {
        Path installed = build.config().ansibleRoles().toAbsolutePath().normalize();
        for (String role : new String[] {"seal", "release-stamp"}) {
            if (!Files.isDirectory(installed.resolve(role))) {
                throw new BuildFailure("kiln's " + role + " role is not in " + installed + " (kiln.builder.ansible-roles); the builder is installed incompletely");
            }
        }
        Path roles = KilnRoles.readable(installed);
        // The seal clamps times to SOURCE_DATE_EPOCH, whether or not the repository's template passes it.
        String site = SitePlaybook.of(build.playbook(), roles, Map.of("kiln_source_date_epoch", build.tagged().sourceDateEpoch()));
        Path file = build.workspace().resolve("kiln-site.yml");
        Files.writeString(file, site);
        build.sitePlaybook(file);
        build.log("playbook: " + build.kilnFile().build().playbook() + ", then kiln's release-stamp and seal");
    }
}
