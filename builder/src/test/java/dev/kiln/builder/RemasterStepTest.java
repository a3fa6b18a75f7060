package dev.kiln.builder;

import dev.kiln.events.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** remaster on its own: two disks with the same files, written at different times and in a different order, become one. */
class RemasterStepTest {
    @TempDir
    Path temp;

    @Test
    void theSameFilesWrittenAtDifferentTimesBecomeTheSameDisk() throws Exception {
        Path tree = tree(temp.resolve("tree"));
        Path first = StepContexts.disk(temp.resolve("first.raw"), tree);
        // The second build: later, a file written and removed again, a file touched, the playbook's log rewritten.
        Thread.sleep(1100);
        Files.writeString(tree.resolve("etc/scratch"), "left by a task");
        Files.delete(tree.resolve("etc/scratch"));
        Files.setLastModifiedTime(tree.resolve("etc/chrony.conf"), FileTime.fromMillis(System.currentTimeMillis()));
        Files.delete(tree.resolve("var/log/build.log"));
        Files.writeString(tree.resolve("var/log/build.log"), "a line of the build\n");
        Path second = StepContexts.disk(temp.resolve("second.raw"), tree);
        assertNotEquals(Sha256.of(first), Sha256.of(second), "the disks as built differ");

        assertEquals(remaster(first, "a"), remaster(second, "b"), "re-mastered, they are the same disk");

        SealedDisk disk = new SealedDisk(first);
        assertEquals("server time.example.com iburst", disk.cat("/etc/chrony.conf").strip());
        String tool = disk.stat("/usr/local/bin/tool");
        assertTrue(tool.contains("Mode:  04755"), tool);
        assertTrue(disk.stat("/etc/localtime").contains("Fast link dest: \"/usr/share/zoneinfo/UTC\""), disk.stat("/etc/localtime"));
        assertTrue(disk.stat("/usr/local/bin/tool-link").contains("Links: 2"), "hard links stay hard links");
        assertTrue(disk.debugfs("ea_get /usr/local/bin/tool user.kiln").contains("sealed"), "extended attributes are kept");
        // Clamped: what the build wrote carries SOURCE_DATE_EPOCH; what was older keeps its time.
        assertTrue(disk.stat("/etc/chrony.conf").contains("mtime: 0x" + Long.toHexString(StepContexts.SOURCE_DATE_EPOCH)), disk.stat("/etc/chrony.conf"));
        assertTrue(disk.stat("/usr/share/doc/old").contains("mtime: 0x" + Long.toHexString(1_600_000_000L)), disk.stat("/usr/share/doc/old"));
        assertTrue(disk.stat("/usr/share/doc/old").contains("ctime: 0x" + Long.toHexString(1_600_000_000L)), disk.stat("/usr/share/doc/old"));
    }

    @Test
    void aDiskWithoutAnExtFileSystemIsRefusedWithAReason() throws Exception {
        Path raw = temp.resolve("blank.raw");
        StepContexts.run(temp, "truncate", "-s", "16M", raw.toString());
        BuildContext build = StepContexts.withWorkspace(temp.resolve("w"), List.of("raw"));
        build.rawDisk(raw);
        BuildFailure failure = assertThrows(BuildFailure.class, () -> new RemasterStep().run(build));
        assertTrue(failure.getMessage().contains("no ext2/3/4 file system"), failure.getMessage());
    }

    private String remaster(Path raw, String name) throws Exception {
        BuildContext build = StepContexts.withWorkspace(temp.resolve("work-" + name), List.of("raw"));
        build.rawDisk(raw);
        RemasterStep step = new RemasterStep();
        step.run(build);
        step.cleanup(build);
        assertEquals("remaster", step.name());
        return Sha256.of(raw);
    }

    private static Path tree(Path root) throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("usr/local/bin"));
        Files.createDirectories(root.resolve("usr/share/doc"));
        Files.createDirectories(root.resolve("var/log"));
        Files.writeString(root.resolve("etc/chrony.conf"), "server time.example.com iburst\n");
        Files.writeString(root.resolve("var/log/build.log"), "a line of the build\n");
        Path tool = Files.writeString(root.resolve("usr/local/bin/tool"), "#!/bin/sh\necho tool\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        StepContexts.run(root, "chmod", "4755", tool.toString());
        Files.getFileAttributeView(tool, UserDefinedFileAttributeView.class).write("kiln", ByteBuffer.wrap("sealed".getBytes(StandardCharsets.UTF_8)));
        Files.createLink(root.resolve("usr/local/bin/tool-link"), tool);
        Files.createSymbolicLink(root.resolve("etc/localtime"), Path.of("/usr/share/zoneinfo/UTC"));
        Path old = Files.writeString(root.resolve("usr/share/doc/old"), "from upstream\n");
        Files.setLastModifiedTime(old, FileTime.fromMillis(1_600_000_000_000L));
        return root;
    }
}
