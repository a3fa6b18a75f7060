package dev.kiln.e2e;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docker-compose.yml, checked by Debian's docker-compose (no container engine runs here, and none is needed for this). */
class ComposeFileTest {
    private static final Path ROOT = Path.of(System.getProperty("kiln.repo.root", "..")).toAbsolutePath().normalize();

    private static String compose(Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("docker-compose", "--project-directory", ROOT.toString(), "-f",
                ROOT.resolve("docker-compose.yml").toString(), "-f", ROOT.resolve("docker-compose.kvm.yml").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return process.waitFor() + "\n" + out;
    }

    @Test
    void theStackIsValidWithKafkaPostgresAndTheFourServices() throws Exception {
        Map<String, String> env = Map.of("KILN_IMAGES_REPOSITORY", "https://git.example.org/images.git", "KILN_REGISTRY_WRITE_TOKEN", "t", "KILN_DB_PASSWORD", "p");
        assertTrue(compose(env, "config", "-q").startsWith("0\n"), compose(env, "config", "-q"));
        String services = compose(env, "config", "--services");
        assertEquals(Set.of("kafka", "postgres", "tag-watcher", "builder", "sealer-verifier", "registry"),
                Set.copyOf(services.lines().skip(1).filter(l -> !l.isBlank()).toList()), services);
        String config = compose(env, "config");
        assertTrue(config.contains("/dev/kvm:/dev/kvm"), "builder and verifier get /dev/kvm with the kvm file");
        assertTrue(config.contains("KILN_QEMU_ACCELERATOR: kvm"), "and are told to use it");
        assertTrue(config.contains("KAFKA_PROCESS_ROLES: broker,controller"), "Kafka runs in KRaft mode");
        // The broker and the database are on the internal network alone, and publish no port.
        com.fasterxml.jackson.databind.JsonNode parsed = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(config.substring(config.indexOf('\n') + 1));
        for (String internal : List.of("kafka", "postgres")) {
            com.fasterxml.jackson.databind.JsonNode service = parsed.path("services").path(internal);
            List<String> networks = new java.util.ArrayList<>();
            service.path("networks").fieldNames().forEachRemaining(networks::add);
            assertEquals(List.of("internal"), networks, internal);
            assertTrue(service.path("ports").isMissingNode(), internal + " publishes no port");
        }
        assertTrue(parsed.path("networks").path("internal").path("internal").asBoolean(), "the internal network has no route out");
        for (String module : List.of("tag-watcher", "builder", "sealer-verifier", "registry")) {
            assertTrue(Files.isRegularFile(ROOT.resolve(module).resolve("src/main/docker/Dockerfile")), module + " has a Dockerfile");
        }
    }

    @Test
    void aMissingSettingIsNamed() throws Exception {
        String out = compose(Map.of("KILN_REGISTRY_WRITE_TOKEN", "t", "KILN_DB_PASSWORD", "p"), "config", "-q");
        assertTrue(!out.startsWith("0\n") && out.contains("set KILN_IMAGES_REPOSITORY"), out);
    }
}
