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
    void theStackIsValidWithKafkaPostgresAndTheFiveServices() throws Exception {
        Map<String, String> env = secrets();
        assertTrue(compose(env, "config", "-q").startsWith("0\n"), compose(env, "config", "-q"));
        String services = compose(env, "config", "--services");
        assertEquals(Set.of("kafka", "broker-accounts", "postgres", "tag-watcher", "builder", "sealer-verifier", "registry", "deploy"),
                Set.copyOf(services.lines().skip(1).filter(l -> !l.isBlank()).toList()), services);
        String config = compose(env, "config");
        assertTrue(config.contains("/dev/kvm:/dev/kvm"), "builder, verifier and deploy get /dev/kvm with the kvm file");
        assertEquals(3, config.split("KILN_QEMU_ACCELERATOR: kvm", -1).length - 1, "and all three are told to use it");
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
        for (String module : List.of("tag-watcher", "builder", "sealer-verifier", "registry", "deploy", "local")) {
            assertTrue(Files.isRegularFile(ROOT.resolve(module).resolve("src/main/docker/Dockerfile")), module + " has a Dockerfile");
        }
        // The broker authenticates and authorizes: no plaintext listener, deny unless an ACL allows.
        com.fasterxml.jackson.databind.JsonNode kafka = parsed.path("services").path("kafka").path("environment");
        assertEquals("CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT", kafka.path("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").asText());
        assertEquals("org.apache.kafka.metadata.authorizer.StandardAuthorizer", kafka.path("KAFKA_AUTHORIZER_CLASS_NAME").asText());
        assertEquals("false", kafka.path("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND").asText());
        // Each service signs in with its own password, after its account exists.
        Map<String, String> passwords = Map.of("tag-watcher", "1", "builder", "2", "sealer-verifier", "3", "registry", "4", "deploy", "6");
        passwords.forEach((service, password) -> {
            com.fasterxml.jackson.databind.JsonNode node = parsed.path("services").path(service);
            assertEquals(password, node.path("environment").path("KILN_KAFKA_PASSWORD").asText(), service);
            assertEquals("service_completed_successfully", node.path("depends_on").path("broker-accounts").path("condition").asText(), service);
        });
    }

    @Test
    void aMissingKafkaPasswordIsNamed() throws Exception {
        assertRefusedWithout("KILN_KAFKA_PASSWORD_REGISTRY");
    }

    private static Map<String, String> secrets() {
        Map<String, String> secrets = new java.util.HashMap<>(Map.of("KILN_IMAGES_REPOSITORY", "https://git.example.org/images.git",
                "KILN_REGISTRY_WRITE_TOKEN", "t", "KILN_DB_PASSWORD", "p", "KILN_KAFKA_ADMIN_PASSWORD", "a", "KILN_KAFKA_PASSWORD_TAG_WATCHER", "1",
                "KILN_KAFKA_PASSWORD_BUILDER", "2", "KILN_KAFKA_PASSWORD_SEALER_VERIFIER", "3", "KILN_KAFKA_PASSWORD_REGISTRY", "4",
                "KILN_KAFKA_PASSWORD_OBSERVER", "5", "KILN_KAFKA_PASSWORD_DEPLOY", "6"));
        secrets.put("KILN_DEPLOY_WRITE_TOKEN", "d");
        return secrets;
    }

    @Test
    void aMissingSettingIsNamed() throws Exception {
        assertRefusedWithout("KILN_IMAGES_REPOSITORY");
    }

    /** Compose refuses to start without {@code setting}, and its message names it. */
    private static void assertRefusedWithout(String setting) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(secrets());
        env.remove(setting);
        String out = compose(env, "config", "-q");
        assertTrue(!out.startsWith("0\n") && out.contains("set " + setting), out);
    }
}
