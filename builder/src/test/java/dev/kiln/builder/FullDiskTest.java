package dev.kiln.builder;

import dev.kiln.events.BuildFailed;
import dev.kiln.events.DiskFormat;
import dev.kiln.events.EventMessages;
import dev.kiln.events.ReleaseTagged;
import dev.kiln.local.ServiceKafkaResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A builder whose disk cannot hold a build: the build does not start, and every format ends as BuildFailed saying
 * how much space there is and which setting moves it. (The disk is "full" by demanding more than any disk has:
 * filling the real one would endanger the machine running the tests.)
 */
@QuarkusTest
@TestProfile(FullDiskTest.NeedsMoreSpaceThanThereIs.class)
@QuarkusTestResource(value = ServiceKafkaResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "BUILDER"))
@QuarkusTestResource(value = BuilderDirectories.class, restrictToAnnotatedClass = true)
class FullDiskTest {
    public static class NeedsMoreSpaceThanThereIs implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kiln.builder.min-free-gib", "1000000");
        }
    }

    @TempDir
    Path temp;

    @Test
    void aBuildThatWouldFillTheDiskEndsAsBuildFailedBeforeItStarts() throws Exception {
        ReleaseTagged tagged = ImageRepository.copyOfExamples(temp.resolve("images")).release("debian-chrony", "9.2.0");
        BuildResults.send(tagged);
        await().atMost(Duration.ofMinutes(2)).until(() -> BuildResults.failed(tagged).size() >= DiskFormat.values().length);
        List<BuildFailed> failed = BuildResults.failed(tagged);
        // Delivery is at least once: a rebalance while the record is in hand redelivers it, and the builder then says the
        // same again, under the same event id, which consumers drop. What must hold: each format failed once, in one way.
        assertEquals(Arrays.stream(DiskFormat.values()).map(DiskFormat::id).collect(Collectors.toSet()),
                failed.stream().map(BuildFailed::format).collect(Collectors.toSet()));
        assertEquals(DiskFormat.values().length, failed.stream().map(EventMessages::idOf).distinct().count(),
                "one event id per format (duplicates, if any, are the same event sent again)");
        assertTrue(BuildResults.built(tagged).isEmpty(), "nothing was built");
        for (BuildFailed event : failed) {
            assertEquals("create-workspace", event.stage());
            assertTrue(event.reason().contains("GiB free") && event.reason().contains("kiln.builder.min-free-gib"), event.reason());
        }
    }
}
