package dev.kiln.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.events.Release;
import dev.kiln.local.ServiceKafkaResource;
import dev.kiln.stack.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.kiln.registry.RegistryEvents.built;
import static dev.kiln.registry.RegistryEvents.failed;
import static dev.kiln.registry.RegistryEvents.release;
import static dev.kiln.registry.RegistryEvents.send;
import static dev.kiln.registry.RegistryEvents.tagged;
import static dev.kiln.registry.RegistryEvents.verified;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI against the real registry (real PostgreSQL and broker), as a user would type it. */
@QuarkusTest
@TestProfile(RegistryTest.WithWriteToken.class)
@QuarkusTestResource(value = ServiceKafkaResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "REGISTRY"))
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = true)
class RegistryCommandTest {
    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL registryUrl;
    @TempDir
    Path temp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private Map<String, String> environment;

    @BeforeEach
    void registry() {
        environment = Map.of("KILN_REGISTRY_URL", registryUrl.toString());
    }

    private int kiln(String... args) {
        out.reset();
        err.reset();
        return new RegistryCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), environment)
                .run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void readsAnswerInTablesOrJsonAndSayWhatIsMissing() throws Exception {
        Release v1 = release("debian-cli", "2.0.0");
        Release v2 = release("debian-cli", "2.1.0");
        send(tagged(v1), built(v1, "qcow2", 'a'), verified(v1, "qcow2", 'a'), tagged(v2), failed(v2, "qcow2"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "published".equals(given().get("/api/v1/images/debian-cli/versions/2.0.0").path("state"))
                && "failed".equals(given().get("/api/v1/images/debian-cli/versions/2.1.0").path("state")));

        assertEquals(0, kiln("images"), err());
        assertTrue(out().matches("(?s)IMAGE\\s+VERSIONS\\s+LATEST PUBLISHED\n.*debian-cli\\s+2\\s+2\\.0\\.0\n.*"), out());

        assertEquals(0, kiln("versions", "debian-cli"), err());
        assertTrue(out().contains("2.0.0") && out().contains("published") && out().contains("qcow2:published"), out());
        assertTrue(out().contains("2.1.0") && out().contains("failed"), out());

        assertEquals(0, kiln("lookup", "debian-cli", "--version", "2.0.0", "--format", "qcow2"), err());
        assertTrue(out().contains("sha256   " + "a".repeat(64)), out());
        assertEquals(0, kiln("lookup", "debian-cli", "--version", "2.0.0", "--format", "qcow2", "--json"), err());
        assertEquals("a".repeat(64), new ObjectMapper().readTree(out()).path("sha256").asText());

        assertEquals(0, kiln("status", "debian-cli", "2.1.0"), err());
        assertTrue(out().contains("debian-cli 2.1.0: failed") && out().contains("at packer: packer build failed"), out());

        assertEquals(1, kiln("versions", "no-such-image"));
        assertTrue(err().contains("no-such-image"), err());
        assertEquals(1, kiln("lookup", "debian-cli", "--version", "2.1.0", "--format", "qcow2"));
        assertTrue(err().startsWith("kiln: ") && (err().contains("(404)") || err().contains("(409)")), err());

        assertEquals(2, kiln("lookup", "debian-cli", "--format", "qcow2"), "neither version nor channel");
        assertTrue(err().contains("lookup IMAGE (--version V | --channel C) --format F"), err());
        assertEquals(2, kiln("frobnicate"));
        assertTrue(err().contains("unknown command 'frobnicate'"), err());
        assertEquals(2, kiln("images", "--registry", "http://127.0.0.1:9"));
        assertTrue(err().contains("cannot reach the registry at http://127.0.0.1:9"), err());
        environment = Map.of();
        assertEquals(2, kiln("images"));
        assertTrue(err().contains("give --registry URL or set KILN_REGISTRY_URL"), err());
    }

    @Test
    void promoteAndRevokeNeedTheWriteTokenFromTheEnvironmentOrAFile() throws Exception {
        Release v1 = release("debian-ops", "3.0.0");
        send(tagged(v1), built(v1, "raw", 'b'), verified(v1, "raw", 'b'));
        await().atMost(Duration.ofSeconds(30)).until(() -> "published".equals(given().get("/api/v1/images/debian-ops/versions/3.0.0").path("state")));

        assertEquals(2, kiln("promote", "debian-ops", "production", "3.0.0"));
        assertTrue(err().contains("promote needs the registry's write token: KILN_REGISTRY_WRITE_TOKEN"), err());
        environment = Map.of("KILN_REGISTRY_URL", registryUrl.toString(), "KILN_REGISTRY_WRITE_TOKEN", "wrong");
        assertEquals(1, kiln("promote", "debian-ops", "production", "3.0.0"));
        assertTrue(err().contains("(401)"), err());

        Path tokenFile = Files.writeString(temp.resolve("token"), RegistryTest.TOKEN + "\n");
        environment = Map.of("KILN_REGISTRY_URL", registryUrl.toString(), "KILN_REGISTRY_TOKEN_FILE", tokenFile.toString());
        assertEquals(0, kiln("promote", "debian-ops", "production", "3.0.0"), err());
        assertEquals("debian-ops: channel production now points at 3.0.0\n", out());
        assertEquals(0, kiln("lookup", "debian-ops", "--channel", "production", "--format", "raw"), err());
        assertTrue(out().startsWith("debian-ops 3.0.0 raw (channel production)"), out());

        assertEquals(2, kiln("revoke", "debian-ops", "3.0.0"), "a revocation needs its reason");
        assertEquals(0, kiln("revoke", "debian-ops", "3.0.0", "--reason", "CVE-2026-0002 in sudo"), err());
        assertTrue(out().contains("debian-ops 3.0.0 is revoked: CVE-2026-0002 in sudo"), out());
        assertEquals(1, kiln("lookup", "debian-ops", "--channel", "production", "--format", "raw"));
        assertTrue(err().contains("CVE-2026-0002") && err().contains("(410)"), err());
        assertEquals(0, kiln("status", "debian-ops", "3.0.0"), err());
        assertTrue(out().contains("REVOKED") && out().contains("CVE-2026-0002 in sudo"), out());
    }
}
