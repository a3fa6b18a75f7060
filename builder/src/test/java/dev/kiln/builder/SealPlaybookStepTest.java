package dev.kiln.builder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** seal-playbook on its own: the playbook Packer runs is the repository's, then kiln's own stamp and seal. */
class SealPlaybookStepTest {
    @TempDir
    Path temp;

    @Test
    void thePlaybookPackerRunsIsTheRepositorysThenKilnsStampAndSealFromKilnsRoles() throws Exception {
        BuildContext build = context(Path.of("ansible/roles"));
        SealPlaybookStep step = new SealPlaybookStep();
        step.run(build);

        assertEquals("seal-playbook", step.name());
        JsonNode plays = new YAMLMapper().readTree(build.sitePlaybook().toFile());
        assertEquals(build.playbook().toAbsolutePath().toString(), plays.get(0).path("import_playbook").asText());
        JsonNode kiln = plays.get(1);
        assertEquals(StepContexts.SOURCE_DATE_EPOCH, kiln.path("vars").path("kiln_source_date_epoch").asLong());
        Path stamp = Path.of(kiln.path("roles").get(0).path("role").asText());
        Path seal = Path.of(kiln.path("roles").get(1).path("role").asText());
        assertEquals("release-stamp", stamp.getFileName().toString());
        assertEquals("seal", seal.getFileName().toString());
        // kiln's roles, as installed (a copy the build user can read), never a role of the repository's.
        assertEquals(Files.readString(Path.of("ansible/roles/seal/tasks/main.yml")), Files.readString(seal.resolve("tasks/main.yml")));
        assertFalse(seal.startsWith(build.playbook().getParent()), seal.toString());
    }

    @Test
    void aBuilderWithoutKilnsRolesRefusesToBuild() throws Exception {
        BuildContext build = context(Files.createDirectories(temp.resolve("no-roles")));
        BuildFailure failure = assertThrows(BuildFailure.class, () -> new SealPlaybookStep().run(build));
        assertTrue(failure.getMessage().contains("installed incompletely"), failure.getMessage());
    }

    private BuildContext context(Path roles) throws Exception {
        BuilderConfig config = StepContexts.config(Map.of("kiln.builder.ansible-roles", roles.toString()));
        BuildContext build = StepContexts.withWorkspace(temp.resolve("work"), List.of("raw"), config, "file:///upstream.qcow2");
        Path playbook = Files.writeString(Files.createDirectories(temp.resolve("repo/ansible")).resolve("playbook.yml"), "- hosts: all\n");
        build.kilnFile(build.kilnFile(), null, playbook);
        return build;
    }
}
