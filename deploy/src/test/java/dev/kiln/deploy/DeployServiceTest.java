package dev.kiln.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.disk.ToolProcess;
import dev.kiln.events.Artifact;
import dev.kiln.events.ChannelMoved;
import dev.kiln.events.DeploymentCompleted;
import dev.kiln.events.DeploymentFailed;
import dev.kiln.events.DeploymentStarted;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventMessages;
import dev.kiln.events.EventRecords;
import dev.kiln.events.EventType;
import dev.kiln.events.ImagePublished;
import dev.kiln.events.InstanceLaunched;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Provenance;
import dev.kiln.events.Release;
import dev.kiln.events.VerificationSummary;
import dev.kiln.events.VersionRevoked;
import dev.kiln.local.ServiceKafkaResource;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.stack.PostgresTestResource;
import dev.kiln.stack.TopicRecords;
import dev.kiln.stack.UpstreamImage;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deploy service on real Kafka, PostgreSQL and QEMU: the registry's events are sent as the registry would send
 * them (the published artifacts are the trusted upstream image, which makes its SSH host keys and machine-id at first
 * boot as kiln's sealed images do, and a disk that never boots). One fleet of two instances lives through the class:
 * first launch, a redelivery, an upgrade turn-and-burn, a revocation, a failed rollout rolled back, and deletion.
 */
@QuarkusTest
@QuarkusTestResource(value = ServiceKafkaResource.class, initArgs = @ResourceArg(name = "account", value = "DEPLOY"))
@QuarkusTestResource(PostgresTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeployServiceTest {
    @jakarta.inject.Inject
    DeployLedger ledger;
    private static final String TOKEN = "deploy-test-write-token";
    private static final String IMAGE = "debian-demo";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path STORE = Path.of("target/deploy-test/store").toAbsolutePath();
    private static final Path IMAGES = Path.of("target/deploy-test/images").toAbsolutePath();
    private static Artifact good;
    private static Artifact broken;
    private static ChannelMoved toFirst;

    @BeforeAll
    static void artifacts() throws Exception {
        // The database is new for each run; so are the local copies of artifacts the last run may have left.
        dev.kiln.disk.Trees.delete(IMAGES);
        Files.createDirectories(STORE);
        UpstreamImage upstream = UpstreamImage.buildOrReuse();
        Path goodFile = STORE.resolve(upstream.sha256() + ".qcow2");
        if (!Files.exists(goodFile)) {
            Files.copy(upstream.image(), goodFile);
        }
        good = artifact(goodFile, upstream.sha256());
        // A disk with no boot loader: its instances never answer, as a broken release's would not.
        Path brokenFile = STORE.resolve("broken.qcow2");
        Files.deleteIfExists(brokenFile);
        ToolProcess.check(List.of("qemu-img", "create", "-q", "-f", "qcow2", brokenFile.toString(), "64M"), STORE, Duration.ofMinutes(1), l -> { });
        broken = artifact(brokenFile, dev.kiln.events.Sha256.of(brokenFile));
    }

    private static Artifact artifact(Path file, String sha256) throws Exception {
        return new Artifact("qcow2", file.toUri().toString(), sha256, Files.size(file), 2L << 30, sha256);
    }

    private static Release release(String version) {
        return new Release(IMAGE, version, "release-" + version, "file:///srv/git/demo.git", "3f786850e387550fdab836ed7e6dc881de23001b");
    }

    private static ImagePublished published(String version, Artifact artifact) {
        return new ImagePublished(release(version), artifact,
                new Provenance("3f786850e387550fdab836ed7e6dc881de23001b", "release-" + version, "file:///upstream.qcow2", artifact.sha256(),
                        Map.of("packer", "1.6.6"), 1_764_000_000L),
                new VerificationSummary("http://127.0.0.1/report", List.of("ssh-hostkeys"), List.of(), 20_000L));
    }

    /** Sends events as the registry does (its topics, CloudEvents); the test broker's admin may write them. */
    private static void registrySends(KilnEvent... events) {
        Map<String, Object> config = new HashMap<>(KafkaBroker.shared().adminClientConfig());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (KilnEvent event : events) {
                producer.send(EventRecords.of(event, URI.create("/kiln/registry"), Clock.systemUTC()));
            }
            producer.flush();
        }
    }

    private static <T extends KilnEvent> List<T> sent(Class<T> type) {
        return TopicRecords.readAll(KafkaBroker.shared().adminClientConfig(), EventType.ofPayload(type).topic()).stream()
                .map(r -> EventCodec.decode(type, r.value())).toList();
    }

    private static JsonNode deployment(String name) throws Exception {
        return JSON.readTree(given().get("/api/v1/deployments/" + name).then().statusCode(200).extract().asString());
    }

    private static List<JsonNode> live(JsonNode deployment) {
        java.util.ArrayList<JsonNode> live = new java.util.ArrayList<>();
        deployment.path("instances").forEach(i -> {
            if (!i.path("state").asText().equals("retired")) {
                live.add(i);
            }
        });
        return live;
    }

    private static void awaitRunning(String name, String version, int instances) {
        await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            JsonNode d = deployment(name);
            return version.equals(d.path("runningVersion").asText()) && d.path("pending").isNull()
                    && live(d).size() == instances && live(d).stream().allMatch(i -> i.path("state").asText().equals("healthy"))
                    && d.path("rollouts").findValues("state").stream().noneMatch(s -> s.asText().equals("running"));
        });
    }

    private static String hostKeyFingerprints(int port) throws Exception {
        ToolProcess.Result scan = ToolProcess.run(List.of("ssh-keyscan", "-p", Integer.toString(port), "-T", "10", "127.0.0.1"), Duration.ofSeconds(30));
        Path keys = Files.createTempFile("host-keys", ".txt");
        Files.writeString(keys, scan.output().stream().filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n")) + "\n");
        String fingerprints = ToolProcess.check(List.of("ssh-keygen", "-l", "-f", keys.toString()), keys.getParent(), Duration.ofSeconds(10), l -> { });
        Files.delete(keys);
        return fingerprints.lines().map(l -> l.split(" ")[1]).sorted().collect(Collectors.joining(","));
    }

    @Test
    @Order(1)
    void declarationsAreCheckedAndNeedTheWriteToken() {
        String body = "{\"name\":\"web\",\"image\":\"" + IMAGE + "\",\"channel\":\"stable\",\"instances\":2,\"health\":{\"port\":22}}";
        given().contentType("application/json").body(body).put("/api/v1/deployments/web").then().statusCode(401)
                .body("detail", containsString("Authorization: Bearer"));
        given().auth().oauth2(TOKEN).contentType("application/json")
                .body("{\"name\":\"web\",\"image\":\"" + IMAGE + "\",\"channel\":\"stable\",\"version\":\"0.1.0\",\"instances\":99,\"flavour\":1}")
                .put("/api/v1/deployments/web").then().statusCode(400).body("detail", containsString("unknown key 'flavour'"));
        given().auth().oauth2(TOKEN).contentType("application/json")
                .body("{\"name\":\"web\",\"image\":\"" + IMAGE + "\",\"channel\":\"stable\",\"version\":\"0.1.0\",\"instances\":99}")
                .put("/api/v1/deployments/web").then().statusCode(400)
                .body("detail", containsString("exactly one of channel"), "detail", containsString("instances must be 1-16"));
        given().auth().oauth2(TOKEN).contentType("application/json").body(body).put("/api/v1/deployments/web").then().statusCode(202);
        given().auth().oauth2(TOKEN).contentType("application/json").body(body).put("/api/v1/deployments/web").then().statusCode(200);
    }

    @Test
    @Order(2)
    void aChannelMoveLaunchesTheFleetAndEveryCloneIsUnique() throws Exception {
        registrySends(published("0.1.0", good), published("0.1.1", good), published("0.2.0", broken));
        Thread.sleep(3000);
        assertTrue(live(deployment("web")).isEmpty(), "nothing runs before the channel points at a version");

        toFirst = new ChannelMoved(release("0.1.0"), "stable", null, System.currentTimeMillis());
        registrySends(toFirst);
        awaitRunning("web", "0.1.0", 2);

        String cause = EventMessages.idOf(toFirst);
        List<DeploymentStarted> started = sent(DeploymentStarted.class);
        assertEquals(1, started.size(), "one rollout: " + started);
        assertEquals("channel-moved", started.get(0).trigger());
        assertEquals(cause, started.get(0).causeId());
        await().atMost(Duration.ofSeconds(30)).until(() -> sent(DeploymentCompleted.class).size() == 1);
        assertEquals(2, sent(InstanceLaunched.class).stream().filter(e -> e.causeId().equals(cause)).count());

        // Two clones of one image: each made its own SSH host keys at first boot (the image has none).
        List<JsonNode> fleet = live(deployment("web"));
        String first = hostKeyFingerprints(fleet.get(0).path("forwardedPort").asInt());
        String second = hostKeyFingerprints(fleet.get(1).path("forwardedPort").asInt());
        assertFalse(first.isBlank(), "instance answers with its host keys");
        assertNotEquals(first, second, "two instances of one image share host keys");
    }

    @Test
    @Order(3)
    void aRedeliveredEventStartsNoSecondRollout() throws Exception {
        registrySends(toFirst);
        // A later move of the same channel (same key, same partition) is handled after the redelivery: once it is, and
        // the deployment has acted on it, the redelivery has had every chance to start a rollout.
        ChannelMoved after = new ChannelMoved(release("0.1.0"), "stable", "0.1.0", System.currentTimeMillis());
        registrySends(after);
        await().atMost(Duration.ofMinutes(1)).until(() -> ledger.handled(EventMessages.idOf(after)));
        await().atMost(Duration.ofMinutes(1)).until(() -> deployment("web").path("pending").isNull());
        assertEquals(1, deployment("web").path("rollouts").size(), "the redelivered ChannelMoved started a rollout");
        assertEquals(1, sent(DeploymentStarted.class).size());
    }

    @Test
    @Order(4)
    void anUpgradeStartsTheNewFleetBeforeRetiringTheOld() throws Exception {
        Set<String> old = live(deployment("web")).stream().map(i -> i.path("id").asText()).collect(Collectors.toSet());
        registrySends(new ChannelMoved(release("0.1.1"), "stable", "0.1.0", System.currentTimeMillis()));
        awaitRunning("web", "0.1.1", 2);
        JsonNode d = deployment("web");
        Instant lastHealthy = Instant.MIN;
        for (JsonNode i : live(d)) {
            assertFalse(old.contains(i.path("id").asText()), "the upgrade replaced the machines");
            Instant healthy = Instant.parse(i.path("startedAt").asText()).plusMillis(i.path("healthyMillis").asLong());
            lastHealthy = healthy.isAfter(lastHealthy) ? healthy : lastHealthy;
        }
        for (JsonNode i : d.path("instances")) {
            if (old.contains(i.path("id").asText())) {
                assertEquals("retired", i.path("state").asText());
                assertTrue(i.path("retireReason").asText().contains("replaced by 0.1.1"), i.toString());
                assertTrue(Instant.parse(i.path("retiredAt").asText()).isAfter(lastHealthy),
                        "an old instance was retired before the new fleet was healthy: " + i);
                assertFalse(Files.exists(Path.of("target/deploy-test/instances").resolve(i.path("id").asText())), "its overlay is removed");
            }
        }
    }

    @Test
    @Order(5)
    void revokingTheRunningVersionMovesTheFleetToTheChannelsLastGoodOne() throws Exception {
        VersionRevoked revoked = new VersionRevoked(release("0.1.1"), "CVE-2026-0002 in openssh", System.currentTimeMillis());
        registrySends(revoked);
        awaitRunning("web", "0.1.0", 2);
        JsonNode last = lastRollout(deployment("web"));
        assertEquals("version-revoked", last.path("trigger").asText());
        assertEquals(EventMessages.idOf(revoked), last.path("causeId").asText());
    }

    @Test
    @Order(6)
    void aRolloutWhoseInstancesFailTheirHealthCheckKeepsTheOldFleet() throws Exception {
        // A shorter health timeout, declared through the API (met only by the broken release's instances, which never
        // answer); the fleet is whole, so the change itself rolls nothing.
        String body = "{\"name\":\"web\",\"image\":\"" + IMAGE + "\",\"channel\":\"stable\",\"instances\":2,\"health\":{\"port\":22,\"timeout\":\"15s\"}}";
        given().auth().oauth2(TOKEN).contentType("application/json").body(body).put("/api/v1/deployments/web").then().statusCode(202);
        Thread.sleep(3000);
        Set<String> before = live(deployment("web")).stream().map(i -> i.path("id").asText()).collect(Collectors.toSet());
        assertEquals(3, deployment("web").path("rollouts").size(), "changing the health timeout started no rollout of its own");

        registrySends(new ChannelMoved(release("0.2.0"), "stable", "0.1.1", System.currentTimeMillis()));
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2))
                .until(() -> sent(DeploymentFailed.class).stream().anyMatch(f -> f.release().version().equals("0.2.0")));
        DeploymentFailed failed = sent(DeploymentFailed.class).stream().filter(f -> f.release().version().equals("0.2.0")).findFirst().orElseThrow();
        assertEquals("0.1.0", failed.rolledBackTo());
        assertTrue(failed.reason().contains("did not pass its health check within 15 s"), failed.reason());
        JsonNode d = deployment("web");
        assertEquals("0.1.0", d.path("runningVersion").asText());
        assertEquals("0.2.0", d.path("failedVersion").asText());
        assertEquals(before, live(d).stream().map(i -> i.path("id").asText()).collect(Collectors.toSet()), "the old fleet kept running");
        assertFalse(Files.exists(IMAGES.resolve(broken.sha256() + ".qcow2")), "the failed version's local copy is removed");
        assertTrue(Files.exists(IMAGES.resolve(good.sha256() + ".qcow2")), "the running version's stays");
        for (JsonNode i : live(d)) {
            assertFalse(hostKeyFingerprints(i.path("forwardedPort").asInt()).isBlank(), "the kept instance still answers");
        }
    }

    @Test
    @Order(7)
    void deletingADeploymentRetiresItsInstances() throws Exception {
        List<String> dirs = live(deployment("web")).stream().map(i -> i.path("id").asText()).toList();
        given().auth().oauth2(TOKEN).delete("/api/v1/deployments/web").then().statusCode(202);
        given().auth().oauth2(TOKEN).delete("/api/v1/deployments/nothing-here").then().statusCode(404);
        await().atMost(Duration.ofMinutes(2)).until(() -> given().get("/api/v1/deployments/web").statusCode() == 404);
        for (String id : dirs) {
            assertFalse(Files.exists(Path.of("target/deploy-test/instances").resolve(id)), id + " is gone");
        }
        try (var left = Files.list(IMAGES)) {
            assertEquals(List.of(), left.toList(), "no local copy of an artifact is kept for nothing");
        }
    }

    private static JsonNode lastRollout(JsonNode deployment) {
        JsonNode rollouts = deployment.path("rollouts");
        return rollouts.get(rollouts.size() - 1);
    }
}
