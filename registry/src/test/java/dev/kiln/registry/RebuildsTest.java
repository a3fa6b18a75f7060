package dev.kiln.registry;

import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.ImageRebuilt;
import dev.kiln.events.RebuildRequested;
import dev.kiln.events.Release;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.local.ServiceKafkaResource;
import io.quarkus.test.common.ResourceArg;
import dev.kiln.stack.PostgresTestResource;
import dev.kiln.stack.TopicRecords;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

import static dev.kiln.registry.RegistryEvents.built;
import static dev.kiln.registry.RegistryEvents.release;
import static dev.kiln.registry.RegistryEvents.send;
import static dev.kiln.registry.RegistryEvents.tagged;
import static dev.kiln.registry.RegistryEvents.verified;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kiln rebuild through the registry: a request needs the write token and a published version, goes out as one
 * RebuildRequested carrying the recorded digests, and the builder's verdict is recorded and shown in lookups. The
 * builder's side is the real builder's test (ReleaseBuilderTest); here its answer is sent as the builder would.
 */
@QuarkusTest
@TestProfile(RegistryTest.WithWriteToken.class)
@QuarkusTestResource(value = ServiceKafkaResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "REGISTRY"))
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = true)
class RebuildsTest {
    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL registryUrl;

    @Test
    void aRebuildIsRequestedOnceRecordedAndItsVerdictShownInLookups() throws Exception {
        Release release = release("debian-rebuild", "2.0.0");
        send(tagged(release), built(release, "qcow2", 'a'), verified(release, "qcow2", 'a'), built(release, "raw", 'b'));
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/api/v1/images/debian-rebuild/lookup?version=2.0.0&format=qcow2").statusCode() == 200);
        given().get("/api/v1/images/debian-rebuild/lookup?version=2.0.0&format=qcow2").then().body("rebuild", nullValue());

        String path = "/api/v1/images/debian-rebuild/versions/2.0.0/rebuilds";
        given().post(path).then().statusCode(401);
        given().auth().oauth2(RegistryTest.TOKEN).post("/api/v1/images/debian-rebuild/versions/9.9.9/rebuilds").then().statusCode(404);
        Response asked = given().auth().oauth2(RegistryTest.TOKEN).post(path);
        asked.then().statusCode(202).body("verdict", equalTo("requested")).header("Location", containsString(path + "/"));
        String id = asked.path("id");

        await().atMost(Duration.ofSeconds(30)).until(() -> requests(id).size() == 1);
        RebuildRequested request = requests(id).get(0);
        assertEquals(release, request.release());
        assertEquals(1_764_000_000L, request.sourceDateEpoch());
        // Only what was published is compared: the raw format is built but not verified yet.
        assertEquals(List.of("qcow2"), request.recorded().stream().map(a -> a.format()).toList());
        assertEquals("a".repeat(64), request.recorded().get(0).sha256());

        ImageRebuilt differs = new ImageRebuilt(id, release, "builder-test/1", ImageRebuilt.DIFFERS,
                List.of(new ImageRebuilt.FormatDigests("qcow2", "a".repeat(64), "c".repeat(64))),
                List.of("partition 2 (83): 1 path(s) differ:", "  /etc/build-date: content (sha256 0a1b… → 9f8e…)"), null,
                "file:///var/tmp/kiln/state/artifacts/sha256/" + "f".repeat(64));
        send(differs, differs);
        await().atMost(Duration.ofSeconds(30)).until(() -> "differs".equals(given().get(path + "/" + id).path("verdict")));
        given().get(path + "/" + id).then().body("builder", equalTo("builder-test/1"))
                .body("differences[1]", containsString("/etc/build-date")).body("formats[0].rebuiltSha256", equalTo("c".repeat(64)));
        given().get("/api/v1/images/debian-rebuild/lookup?version=2.0.0&format=qcow2").then().statusCode(200)
                .body("rebuild.id", equalTo(id)).body("rebuild.verdict", equalTo("differs"));

        // The CLI, against this registry: a second rebuild, answered bit-identical, prints it and exits 0.
        Thread answer = new Thread(() -> {
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> given().get(path).jsonPath().getList("id").size() == 2);
                String second = given().get(path).path("[0].id");
                send(new ImageRebuilt(second, release, "builder-test/2", ImageRebuilt.BIT_IDENTICAL,
                        List.of(new ImageRebuilt.FormatDigests("qcow2", "a".repeat(64), "a".repeat(64))), List.of(), null, null));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        answer.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        java.nio.file.Path tokenFile = java.nio.file.Files.createTempFile("kiln-token", "");
        java.nio.file.Files.writeString(tokenFile, RegistryTest.TOKEN + "\n");
        try {
            System.setOut(new PrintStream(out, true));
            exit = RebuildCommand.run(new String[] {"debian-rebuild", "2.0.0", "--registry", registryUrl.toString(), "--token-file", tokenFile.toString()});
        } finally {
            System.setOut(original);
            java.nio.file.Files.delete(tokenFile);
        }
        answer.join();
        assertEquals(0, exit, out.toString());
        assertTrue(out.toString().contains("bit-identical"), out.toString());
        given().get("/api/v1/images/debian-rebuild/lookup?version=2.0.0&format=qcow2").then().body("rebuild.verdict", equalTo("bit-identical"));
    }

    @Test
    void aVersionWithNothingPublishedCannotBeRebuilt() throws Exception {
        Release release = release("debian-rebuild", "3.0.0");
        send(tagged(release), built(release, "qcow2", 'a'));
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/api/v1/images/debian-rebuild/versions/3.0.0").statusCode() == 200);
        given().auth().oauth2(RegistryTest.TOKEN).post("/api/v1/images/debian-rebuild/versions/3.0.0/rebuilds").then().statusCode(409)
                .body("detail", containsString("no published format"));
    }

    private static List<RebuildRequested> requests(String id) {
        return TopicRecords.readAll(KafkaBroker.shared().adminClientConfig(), EventType.REBUILD_REQUESTED.topic()).stream()
                .map(r -> EventCodec.decode(RebuildRequested.class, r.value())).filter(r -> r.rebuildId().equals(id)).toList();
    }
}
