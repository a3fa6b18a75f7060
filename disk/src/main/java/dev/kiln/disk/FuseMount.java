package dev.kiln.disk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A file system inside a disk file, mounted read-only by fuse2fs in user space. fuse2fs runs in the foreground as
 * this process's child, so it cannot outlive the build that mounted it.
 */
public final class FuseMount implements AutoCloseable {
    private static final long MOUNT_WAIT_MILLIS = 30_000;

    private final Process process;
    private final Path path;

    private FuseMount(Process process, Path path) {
        this.process = process;
        this.path = path;
    }

    public static FuseMount readOnly(Path disk, long offset, Path mountPoint, Path logDirectory) throws IOException, InterruptedException {
        Path log = logDirectory.resolve("fuse2fs-" + mountPoint.getFileName() + ".log");
        Process process;
        try {
            // Dies with this service: a verifier killed mid-check leaves only a dead mount, which its successor's sweep unmounts.
            process = new ProcessBuilder(ToolProcess.asTool(List.of("fuse2fs", "-f", "-o", "ro,norecovery,offset=" + offset, disk.toString(), mountPoint.toString())))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IOException("fuse2fs could not be started (is it installed? ./kiln setup installs it): " + e.getMessage(), e);
        }
        FuseMount mount = new FuseMount(process, mountPoint.toAbsolutePath().normalize());
        long deadline = System.currentTimeMillis() + MOUNT_WAIT_MILLIS;
        while (!mount.mounted()) {
            if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                mount.close();
                throw new IOException("fuse2fs could not mount the file system at byte " + offset + ": " + Files.readString(log).trim());
            }
            Thread.sleep(50);
        }
        return mount;
    }

    public Path path() {
        return path;
    }

    /**
     * Lets go of every FUSE mount below {@code dir} that a killed process left (its fuse2fs outlived it): a lazy
     * unmount, which also ends that fuse2fs. Before a sweep deletes the directory, so it never walks into an image.
     */
    public static void releaseAbandoned(Path dir) throws IOException, InterruptedException {
        String below = dir.toAbsolutePath().normalize() + "/";
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && line.contains("fuse") && (fields[4] + "/").startsWith(below)) {
                new ProcessBuilder("umount", "-l", fields[4]).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private boolean mounted() throws IOException {
        String target = " " + path + " ";
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(line -> line.contains(target) && line.contains("fuse"));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (mounted()) {
            new ProcessBuilder("umount", path.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(30, TimeUnit.SECONDS);
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
