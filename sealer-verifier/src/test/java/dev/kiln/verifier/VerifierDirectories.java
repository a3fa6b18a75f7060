package dev.kiln.verifier;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Workspaces and reports of the verifier under test, in a temporary directory. */
public class VerifierDirectories implements QuarkusTestResourceLifecycleManager {
    private static Path root;
    /** What a verifier killed mid-verification would have left: unclaimed and old. The service must sweep it at start. */
    static Path abandoned;

    /** The verifier's workspaces. */
    static Path root() {
        return root.resolve("work");
    }

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("kiln-verifier-test");
            abandoned = Files.createDirectories(root.resolve("work").resolve("debian-web-raw-left-by-a-killed-verifier"));
            Files.writeString(abandoned.resolve("disk.raw"), "half a verification");
            Files.setLastModifiedTime(abandoned, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofHours(1))));
            return Map.of("kiln.verifier.workspaces", root.resolve("work").toString(),
                    "kiln.verifier.reports", root.resolve("reports").toString(),
                    "kiln.verifier.public-url", "http://verifier.test",
                    "kiln.verifier.boot-timeout", "4m");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        dev.kiln.stack.TempDirs.delete(root);
    }
}
