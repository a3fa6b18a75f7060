package dev.kiln.local;

import dev.kiln.disk.DirectoryClaim;
import dev.kiln.stack.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AftermathTest {
    /** Builds of other stacks on this machine run as kiln-build: not this test's business. */
    private static final String NO_BUILDS = "no-such-build-user";
    private Path state;

    @BeforeEach
    void state() throws Exception {
        state = Files.createTempDirectory("kiln-aftermath-");
    }

    @AfterEach
    void clean() {
        TempDirs.delete(state);
    }

    @Test
    void aProcessOfTheStackWhoseParentDiedIsAnOrphanAndALiveChildIsNot() throws Exception {
        // The state directory travels as an argument, not inside the script.
        Process child = new ProcessBuilder("/usr/bin/python3", "-c", "import time; time.sleep(120)", state.toString()).start();
        Process launcher = new ProcessBuilder("sh", "-c", "/usr/bin/python3 -c 'import time; time.sleep(120)' \"$1\" >/dev/null 2>&1 & echo $!",
                "sh", state.toString()).start();
        long orphan = Long.parseLong(new String(launcher.getInputStream().readAllBytes()).strip());
        launcher.waitFor(10, TimeUnit.SECONDS);
        try {
            List<String> found = Aftermath.orphans(state, NO_BUILDS);
            assertEquals(1, found.size(), found.toString());
            assertTrue(found.get(0).startsWith(orphan + " "), found.toString());
        } finally {
            ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
            child.destroyForcibly();
        }
        // A kill is delivered asynchronously: the orphan may still be listed a moment after destroyForcibly returned
        // (once, in a clean-clone ./kiln test, 0.04 s after). It must be gone within seconds.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Aftermath.orphans(state, NO_BUILDS).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(List.of(), Aftermath.orphans(state, NO_BUILDS));
    }

    @Test
    void unclaimedWorkspacesAndHalfWrittenArtifactsAreLeftoversAndAClaimedWorkspaceIsNot() throws Exception {
        assertEquals(List.of(), Aftermath.leftovers(state, state.resolve("tmp")));
        Path abandoned = Files.createDirectories(state.resolve("builder/work/debian-chrony-1.0.1-abc"));
        Path inUse = Files.createDirectories(state.resolve("verifier/work/debian-chrony-1.0.1-qcow2"));
        Path packer = Files.createDirectories(state.resolve("tmp/kiln-packer-123"));
        Files.createDirectories(state.resolve("tmp/someone-elses"));
        Path partial = Files.createDirectories(state.resolve("artifacts/sha256")).resolve("0123.456.part");
        Files.writeString(partial, "half");
        try (DirectoryClaim claim = DirectoryClaim.claim(inUse)) {
            assertEquals(List.of(abandoned.toString(), packer.toString(), partial.toString()), Aftermath.leftovers(state, state.resolve("tmp")));
        }
    }
}
