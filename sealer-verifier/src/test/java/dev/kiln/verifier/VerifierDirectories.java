package dev.kiln.verifier;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Workspaces and reports of the verifier under test, in a temporary directory. */
public class VerifierDirectories implements QuarkusTestResourceLifecycleManager {
    private Path root;

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("kiln-verifier-test");
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
