package dev.kiln.verifier;

import dev.kiln.events.Sha256;
import dev.kiln.events.Artifact;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventRecords;
import dev.kiln.events.EventType;
import dev.kiln.events.ImageBuilt;
import dev.kiln.events.ImageRejected;
import dev.kiln.events.ImageVerified;
import dev.kiln.events.Provenance;
import dev.kiln.events.Release;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.local.ServiceKafkaResource;
import io.quarkus.test.common.ResourceArg;
import dev.kiln.stack.TopicRecords;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service on the real broker: built images in, verified (booted) or rejected out, reports served. */
@QuarkusTest
@QuarkusTestResource(value = ServiceKafkaResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "SEALER_VERIFIER"))
@QuarkusTestResource(value = VerifierDirectories.class, restrictToAnnotatedClass = true)
class ImageVerifierTest {
    @TempDir
    Path temp;

    @Test
    void whatAKilledVerifierLeftIsSweptAtStartUp() {
        assertTrue(VerifierDirectories.abandoned != null && !Files.exists(VerifierDirectories.abandoned),
                "the abandoned workspace is still there: " + VerifierDirectories.abandoned);
    }

    @Test
    void sealedImagesBootAndAreVerifiedWhileALeakyOneIsRejected() throws Exception {
        Path repo = temp.resolve("images");
        String commit = imageRepository(repo);
        Release release = new Release(TestImages.IMAGE, TestImages.VERSION, "release-" + TestImages.VERSION, repo.toString(), commit);
        Path sealed = TestImages.bootableSealed(commit);
        String rawSha = Sha256.of(sealed);
        Path qcow2 = TestImages.convert(sealed, "qcow2", List.of(), temp.resolve("image.qcow2"));
        Path vhd = TestImages.convert(sealed, "vpc", List.of("-o", "subformat=fixed,force_size=on"), temp.resolve("image.vhd"));
        Path ova = TestImages.ova(sealed, temp.resolve("image.ova"));
        Path leakyTree = TestImages.sealedTree(temp.resolve("leaky"));
        TestImages.write(leakyTree, "etc/ssh/ssh_host_rsa_key", "private");
        Path leaky = TestImages.disk(leakyTree, temp.resolve("leaky.raw"));

        send("garbage/1", "{\"release\": 42}");
        for (Path file : List.of(qcow2, vhd, ova)) {
            String format = file.getFileName().toString().substring(6);
            send(built(release, format, file, rawSha));
        }
        Release leakyRelease = new Release(TestImages.IMAGE, "1.2.4", "release-1.2.4", repo.toString(), commit);
        send(built(leakyRelease, "raw", leaky, Sha256.of(leaky)));

        await().atMost(Duration.ofMinutes(12)).pollInterval(Duration.ofSeconds(5))
                .until(() -> verified(release).size() == 3 && !rejected(leakyRelease).isEmpty());
        // One boot for the one disk the three formats carry; the other two are tied to it by their decoded digest.
        List<String> bootedAs = new java.util.ArrayList<>();
        for (ImageVerified event : verified(release)) {
            assertTrue(event.verification().bootMillis() > 0, event.format());
            assertTrue(event.verification().rulesChecked().containsAll(List.of("ssh-hostkeys", "machine-id", "build-credentials", "boot")));
            assertEquals("http://verifier.test/api/v1/reports/debian-web/1.2.3/" + event.format(), event.verification().reportLocation());
            io.restassured.path.json.JsonPath report = given().get("/api/v1/reports/debian-web/1.2.3/" + event.format()).then().statusCode(200)
                    .body("verdict", equalTo("verified")).body("rawSha256", equalTo(rawSha)).extract().jsonPath();
            if (report.get("phaseMillis.boot") != null) {
                bootedAs.add(event.format());
            }
        }
        assertEquals(1, bootedAs.size(), "booted: " + bootedAs);
        for (ImageVerified event : verified(release)) {
            if (!bootedAs.contains(event.format())) {
                given().get("/api/v1/reports/debian-web/1.2.3/" + event.format()).then()
                        .body("rulesChecked.boot", containsString("(decoded sha256 " + rawSha + ") booted as " + bootedAs.get(0)));
            }
        }
        ImageRejected rejection = rejected(leakyRelease).get(0);
        assertTrue(rejection.findings().stream().anyMatch(f -> f.rule().equals("ssh-hostkeys") && f.path().equals("/etc/ssh/ssh_host_rsa_key")),
                rejection.findings().toString());
        given().get("/api/v1/reports/debian-web/1.2.4/raw").then().statusCode(200).body("verdict", equalTo("rejected"));
        given().get("/api/v1/reports/debian-web/0.0.0/raw").then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString("no verification report"));
        assertTrue(TopicRecords.readAll(admin(), EventType.DEAD_LETTER_TOPIC).stream().anyMatch(r -> "garbage/1".equals(r.key())));
    }

    /**
     * The image repository unreachable when the image arrives (a Git remote away): the verifier waits and tries again
     * rather than rejecting or dead-lettering; once the repository is there, the image is judged on its merits (here:
     * its artifact is missing, a rejection by the artifact check, not by the policy read).
     */
    @Test
    void anUnreachableRepositoryIsWaitedFor() throws Exception {
        Path staging = temp.resolve("staging");
        String commit = imageRepository(staging);
        Path repo = temp.resolve("later");
        Release release = new Release(TestImages.IMAGE, "1.9.0", "release-1.9.0", repo.toString(), commit);
        Path missing = temp.resolve("gone.qcow2");
        Files.writeString(missing, "x");
        ImageBuilt event = built(release, "qcow2", missing, "e".repeat(64));
        Files.delete(missing);

        send(event);
        Thread.sleep(6000);
        assertTrue(rejected(release).isEmpty(), "judged while the repository was away: " + rejected(release));
        Files.move(staging, repo);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() -> !rejected(release).isEmpty());
        assertEquals("artifact", rejected(release).get(0).findings().get(0).rule(), rejected(release).toString());
        assertTrue(TopicRecords.readAll(admin(), EventType.DEAD_LETTER_TOPIC).stream()
                .noneMatch(r -> r.value() != null && r.value().contains(repo.toString())), "nothing was dead-lettered");
    }

    /** An image repository whose one commit has a kiln.yaml (the verifier reads its sealing policy there); the commit. */
    static String imageRepository(Path dir) throws Exception {
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            Files.writeString(dir.resolve("kiln.yaml"), """
                    image: debian-web
                    upstream: {url: "https://cloud.example.org/debian.qcow2", sha256: "%s"}
                    build: {template: packer/image.pkr.hcl, playbook: ansible/playbook.yml}
                    """.formatted("c".repeat(64)));
            git.add().addFilepattern("kiln.yaml").call();
            return git.commit().setMessage("image").setSign(false).call().name();
        }
    }

    static ImageBuilt built(Release release, String format, Path file, String rawSha) throws Exception {
        Provenance provenance = new Provenance(release.commit(), release.tag(), "https://cloud.example.org/debian.qcow2", "c".repeat(64),
                Map.of("packer", "1.6.6"), 1_764_000_000L);
        Artifact artifact = new Artifact(format, file.toUri().toString(), Sha256.of(file), Files.size(file), 2L << 30, rawSha);
        return new ImageBuilt(release, artifact, provenance, file.toUri().toString());
    }

    private static List<ImageVerified> verified(Release release) {
        return TopicRecords.readAll(admin(), EventType.IMAGE_VERIFIED.topic()).stream()
                .map(r -> EventCodec.decode(ImageVerified.class, r.value())).filter(e -> e.release().equals(release)).toList();
    }

    static List<ImageRejected> rejected(Release release) {
        return TopicRecords.readAll(admin(), EventType.IMAGE_REJECTED.topic()).stream()
                .map(r -> EventCodec.decode(ImageRejected.class, r.value())).filter(e -> e.release().equals(release)).toList();
    }

    static void send(ImageBuilt event) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(EventRecords.of(event, URI.create("/kiln/verifier-test"), Clock.systemUTC())).get();
        }
    }

    private static void send(String key, String payload) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(EventType.IMAGE_BUILT.topic(), key, payload)).get();
        }
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(admin(), new StringSerializer(), new StringSerializer());
    }

    /** The test plays the other services (a builder, a subscriber): the broker's administrator. */
    private static Map<String, Object> admin() {
        return KafkaBroker.shared().adminClientConfig();
    }
}
