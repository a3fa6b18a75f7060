package dev.kiln.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What Ansible reads in the site playbook: the repository's plays first, then kiln's stamp and seal, by path. */
class SitePlaybookTest {
    @Test
    void theRepositorysPlaybookRunsFirstAndKilnsStampAndSealLastByTheirPaths() throws Exception {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("kiln_source_date_epoch", 1764000000L);
        vars.put("kiln_version", "0.1.0");
        JsonNode plays = new YAMLMapper().readTree(SitePlaybook.of(Path.of("/repo/ansible/site.yml"), Path.of("/opt/kiln/roles"), vars));

        assertEquals(2, plays.size(), plays.toString());
        assertEquals("/repo/ansible/site.yml", plays.get(0).path("import_playbook").asText());
        JsonNode kiln = plays.get(1);
        assertEquals("all", kiln.path("hosts").asText());
        assertTrue(kiln.path("become").asBoolean());
        assertFalse(kiln.path("gather_facts").asBoolean(true));
        assertEquals(1764000000L, kiln.path("vars").path("kiln_source_date_epoch").asLong());
        assertTrue(kiln.path("vars").path("kiln_source_date_epoch").isNumber(), "a number stays a number");
        assertEquals("0.1.0", kiln.path("vars").path("kiln_version").asText());
        assertEquals("/opt/kiln/roles/release-stamp", kiln.path("roles").get(0).path("role").asText());
        assertEquals("/opt/kiln/roles/seal", kiln.path("roles").get(1).path("role").asText());
        assertEquals(2, kiln.path("roles").size());
    }

    @Test
    void aPathThatLooksLikeYamlStaysOnePath() throws Exception {
        String odd = "/w/x\": y\n- hosts: evil #";
        JsonNode plays = new YAMLMapper().readTree(SitePlaybook.of(Path.of(odd), Path.of("/r"), Map.of()));
        assertEquals(2, plays.size(), plays.toString());
        assertEquals(odd, plays.get(0).path("import_playbook").asText());
        assertTrue(plays.get(1).path("vars").isMissingNode(), "no variables, no vars section");
    }

    @Test
    void aVariableNameAnsibleWouldNotTakeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SitePlaybook.of(Path.of("/p"), Path.of("/r"), Map.of("kiln version: x", 1)));
    }
}
