package dev.kiln.builder;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Workspaces, upstream cache and artifact store of the builder under test, in a temporary directory. */
public class BuilderDirectories implements QuarkusTestResourceLifecycleManager {
    static Path root;

    @Override
    public Map<String, String> start() {
        try {
            // Passable by others (not readable): the unprivileged build user walks through it to its workspace.
            root = Files.createTempDirectory("kiln-builder-test", java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")));
            return Map.of("kiln.builder.workspaces", root.resolve("work").toString(),
                    "kiln.builder.upstream-cache", root.resolve("upstream").toString(),
                    "kiln.builder.store.directory", root.resolve("artifacts").toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        dev.kiln.stack.TempDirs.delete(root);
    }
}
