package dev.kiln.tagwatcher;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Two repositories for the application under test: a real local one that tests tag, and one whose remote does
 * not answer (nothing listens on port 9 of loopback).
 */
public class WatchedRepositoriesResource implements QuarkusTestResourceLifecycleManager {
    static final String SECRET = "s3cr3t-webhook";
    static GitFixture good;
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("kiln-watched");
            good = GitFixture.create(dir.resolve("images"));
            good.commitKilnFile("debian-web");
            return Map.of(
                    "kiln.watcher.repositories.images.url", good.dir().toString(),
                    "kiln.watcher.repositories.images.poll-interval", "1h",
                    "kiln.watcher.repositories.images.webhook-secret", SECRET,
                    "kiln.watcher.repositories.offline.url", "http://127.0.0.1:9/platform/offline.git",
                    "kiln.watcher.repositories.offline.poll-interval", "1s",
                    "kiln.watcher.max-backoff", "2s",
                    "kiln.watcher.ledger-topic", "kiln.tag-watcher.ledger.app-test-" + System.nanoTime(),
                    "kiln.watcher.mirrors", dir.resolve("mirrors").toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        good.close();
        dev.kiln.stack.TempDirs.delete(dir);
    }
}
