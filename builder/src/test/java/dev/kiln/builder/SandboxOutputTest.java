package dev.kiln.builder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the sandboxed build leaves is read by the builder only as files of its own: a link or a second name would
 * hand the builder a host file the sandbox could not read (here, "another image's disk" outside the workspace).
 */
class SandboxOutputTest {
    @TempDir
    Path temp;
    Path workspace;
    Path out;
    /** A file of the host outside the workspace, which the sandbox could not read. */
    Path another;

    @org.junit.jupiter.api.BeforeEach
    void aWorkspaceAndAnotherImage() throws Exception {
        workspace = Files.createDirectories(temp.resolve("work/w1"));
        out = workspace.resolve("out");
        another = Files.write(temp.resolve("another-image.raw"), new byte[512]);
    }

    @Test
    void aDiskTheBuildWroteIsTaken() throws Exception {
        Path disk = Files.write(Files.createDirectories(out).resolve("disk.raw"), new byte[512]);
        assertEquals(disk.toRealPath(), SandboxOutput.file(workspace, disk));
    }

    @Test
    void aLinkToAnotherFileIsRefused() throws Exception {
        Files.createSymbolicLink(Files.createDirectories(out).resolve("disk.raw"), another);
        assertRefused(out.resolve("disk.raw"), "not a regular file");
    }

    @Test
    void aLinkedDirectoryIsRefused() throws Exception {
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        Files.write(elsewhere.resolve("disk.raw"), new byte[512]);
        Files.createSymbolicLink(out, elsewhere);
        assertRefused(out.resolve("disk.raw"), "through a link");
    }

    @Test
    void aSecondNameOfAnotherFileIsRefused() throws Exception {
        Files.createLink(Files.createDirectories(out).resolve("disk.raw"), another);
        assertRefused(out.resolve("disk.raw"), "2 names");
    }

    private void assertRefused(Path file, String why) {
        BuildFailure refused = assertThrows(BuildFailure.class, () -> SandboxOutput.file(workspace, file));
        assertTrue(refused.getMessage().startsWith("out/disk.raw in the build's output") && refused.getMessage().contains(why), refused.getMessage());
    }
}
