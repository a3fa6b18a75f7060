package dev.kiln.disk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DirectoryClaimTest {
    @TempDir
    Path root;

    @Test
    void aDirectoryOfAProcessThatWasKilledIsSweptAndALiveOnesStays() throws Exception {
        Path orphan = Files.createDirectories(root.resolve("build-orphan"));
        Files.writeString(orphan.resolve("disk.raw"), "left behind");
        Path claimFile = root.resolve("build-orphan.claim");
        Files.createFile(claimFile);
        // Another process claims it with a POSIX lock, as a builder does, and is killed.
        Process other = new ProcessBuilder("python3", "-c", "import fcntl,sys,time; f=open(sys.argv[1],'w'); fcntl.lockf(f, fcntl.LOCK_EX); "
                + "print('locked', flush=True); time.sleep(600)", claimFile.toString()).redirectErrorStream(true).start();
        assertEquals("locked", new String(other.getInputStream().readNBytes(6)));
        assertEquals(List.of(), DirectoryClaim.sweep(root, "build-"), "held by a live process: kept");

        other.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        try (DirectoryClaim mine = DirectoryClaim.claim(Files.createDirectories(root.resolve("build-live")))) {
            assertEquals(List.of(orphan), DirectoryClaim.sweep(root, "build-"));
            assertFalse(Files.exists(orphan));
            assertFalse(Files.exists(claimFile));
            assertTrue(Files.isDirectory(root.resolve("build-live")), "this process's own claim holds");
        }
        assertFalse(Files.exists(root.resolve("build-live.claim")), "closing a claim removes its file");
    }

    @Test
    void anUnclaimedDirectoryIsSweptOnlyOnceItIsOld() throws Exception {
        Path fresh = Files.createDirectories(root.resolve("build-fresh"));
        Path old = Files.createDirectories(root.resolve("build-old"));
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(DirectoryClaim.UNCLAIMED_GRACE).minusSeconds(60)));
        Path other = Files.createDirectories(root.resolve("reports"));
        Files.setLastModifiedTime(other, FileTime.from(Instant.now().minusSeconds(86_400)));
        assertEquals(List.of(old), DirectoryClaim.sweep(root, "build-"));
        assertTrue(Files.isDirectory(fresh), "may be being made by a live process");
        assertTrue(Files.isDirectory(other), "not a working directory");
    }
}
