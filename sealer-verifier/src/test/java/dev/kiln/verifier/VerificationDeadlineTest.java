package dev.kiln.verifier;

import dev.kiln.events.Artifact;
import dev.kiln.events.Finding;
import dev.kiln.events.ImageBuilt;
import dev.kiln.events.ImageRejected;
import dev.kiln.events.Release;
import dev.kiln.local.ServiceKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kiln.verifier.deadline: a verification that overruns it is stopped and the image rejected, saying why. */
@QuarkusTest
@TestProfile(VerificationDeadlineTest.OneSecond.class)
@QuarkusTestResource(value = ServiceKafkaResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "SEALER_VERIFIER"))
@QuarkusTestResource(value = VerifierDirectories.class, restrictToAnnotatedClass = true)
class VerificationDeadlineTest {
    public static class OneSecond implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kiln.verifier.deadline", "1s");
        }
    }

    @TempDir
    Path temp;

    @Test
    void aVerificationPastItsDeadlineIsStoppedAndTheImageRejectedWithTheReason() throws Exception {
        Path repo = temp.resolve("images");
        String commit = ImageVerifierTest.imageRepository(repo);
        Release release = new Release(TestImages.IMAGE, "1.7.0", "release-1.7.0", repo.toString(), commit);
        // 16 GiB of sparse disk: reading it for its digest alone takes far longer than a second.
        Path large = temp.resolve("large.raw");
        try (RandomAccessFile file = new RandomAccessFile(large.toFile(), "rw")) {
            file.setLength(16L << 30);
        }
        Instant sent = Instant.now();
        ImageVerifierTest.send(new ImageBuilt(release, new Artifact("raw", large.toUri().toString(),
                "f".repeat(64), 16L << 30, 16L << 30, "f".repeat(64)), ImageVerifierTest.built(release, "raw", temp.resolve("images/kiln.yaml"),
                "f".repeat(64)).provenance(), large.toUri().toString()));

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> !ImageVerifierTest.rejected(release).isEmpty());
        // Joining the consumer group and the rejection's trip take seconds; reading all 16 GiB took a minute here
        // before the digest heeded the deadline's interrupt.
        long seconds = Duration.between(sent, Instant.now()).toSeconds();
        assertTrue(seconds < 30, "stopped near its deadline of 1 s, not " + seconds + " s after ImageBuilt");
        ImageRejected rejection = ImageVerifierTest.rejected(release).get(0);
        Finding finding = rejection.findings().get(0);
        assertEquals("verification-deadline", finding.rule(), rejection.findings().toString());
        assertTrue(finding.message().contains("kiln.verifier.deadline") && finding.message().contains("what was not verified is not published"),
                finding.message());
        try (var left = Files.list(VerifierDirectories.root())) {
            assertEquals(List.of(), left.filter(p -> !p.equals(VerifierDirectories.abandoned)).toList(), "the workspace is removed");
        }
    }
}
