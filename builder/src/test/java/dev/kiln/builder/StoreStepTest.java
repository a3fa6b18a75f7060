package dev.kiln.builder;

import dev.kiln.events.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreStepTest {
    @TempDir
    Path temp;

    /** The store's directory cannot be made for a while (a file stands where it goes): the step waits, then stores. */
    @Test
    void aStoreThatFailsForAWhileIsWaitedForAndTheFormatIsStored() throws Exception {
        BuildContext build = builtQcow2();
        Path store = temp.resolve("store");
        Path obstacle = Files.createDirectories(store).resolve("sha256");
        Files.writeString(obstacle, "not a directory");
        CompletableFuture<Void> fixed = CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(2500);
                Files.delete(obstacle);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        new StoreStep(new FileArtifactStore(store)).run(build);

        fixed.get(10, TimeUnit.SECONDS);
        String sha256 = build.formats().get("qcow2").sha256();
        assertEquals(List.of("qcow2"), List.copyOf(build.artifacts().keySet()));
        assertEquals(sha256, Sha256.of(store.resolve("sha256").resolve(sha256)));
        assertEquals(java.util.Map.of(), build.formatFailures(), "no format failed");
        String log = Files.readString(build.workspace().resolve("build.log"));
        assertTrue(log.contains("storing qcow2 failed, trying again"), log);
        assertTrue(log.contains("stored qcow2 at file:"), log);
    }

    /** The fault drill found it: a release built again (redelivered after a broker crash) left temporary links in the store. */
    @Test
    void storingARebuiltReleaseAgainLeavesOnlyItsNamesInTheStore() throws Exception {
        Path store = temp.resolve("store");
        for (int build = 1; build <= 2; build++) {
            BuildContext context = builtQcow2(temp.resolve("ws" + build));
            new StoreStep(new FileArtifactStore(store)).run(context);
        }
        try (var names = Files.list(store.resolve("images/debian-chrony/0.1.0"))) {
            assertEquals(List.of("debian-chrony-0.1.0.qcow2"), names.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** The build's deadline (an interrupt) ends the waiting: the step stops, nothing is recorded as stored. */
    @Test
    void theBuildsDeadlineEndsTheWaiting() throws Exception {
        BuildContext build = builtQcow2();
        Path store = Files.createDirectories(temp.resolve("store"));
        Files.writeString(store.resolve("sha256"), "not a directory, ever");
        Thread worker = Thread.currentThread();
        CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException ignored) {
                // the test ends anyway
            }
            worker.interrupt();
        });
        assertThrows(InterruptedException.class, () -> new StoreStep(new FileArtifactStore(store)).run(build));
        Thread.interrupted();
        assertEquals(java.util.Map.of(), build.artifacts());
    }

    private BuildContext builtQcow2() throws Exception {
        return builtQcow2(temp.resolve("ws"));
    }

    private BuildContext builtQcow2(Path workspace) throws Exception {
        BuildContext build = StepContexts.withWorkspace(workspace, List.of("qcow2"));
        Path image = build.workspace().resolve("debian-chrony-0.1.0.qcow2");
        Files.writeString(image, "a converted image");
        build.rawSha256("1".repeat(64));
        build.formats().put("qcow2", new BuildContext.FormatFile("qcow2", image, Sha256.of(image), Files.size(image), 1L << 30));
        return build;
    }
}
