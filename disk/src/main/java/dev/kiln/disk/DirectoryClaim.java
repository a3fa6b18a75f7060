package dev.kiln.disk;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A working directory (a build's or a verification's) claimed by the process using it: a lock on {@code <dir>.claim}
 * beside it, which the operating system releases when the process ends, however it ends. A service starting after a
 * crash {@link #sweep sweeps} the directories whose claim nobody holds, while other live instances' stay.
 */
public final class DirectoryClaim implements AutoCloseable {
    /** A directory with no claim file yet is only taken for abandoned once it is this old (it may be being made). */
    static final Duration UNCLAIMED_GRACE = Duration.ofMinutes(10);
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryClaim(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Claims {@code dir} for as long as this process lives or until {@link #close}. */
    public static DirectoryClaim claim(Path dir) throws IOException {
        Path file = claimFile(dir);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            return new DirectoryClaim(file, channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Removes the directories below {@code root} whose names start with {@code prefix} that no live process claims. */
    public static List<Path> sweep(Path root, String prefix) throws IOException {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return removed;
        }
        List<Path> dirs;
        try (Stream<Path> children = Files.list(root)) {
            dirs = children.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
        for (Path dir : dirs) {
            if (abandoned(dir)) {
                try {
                    FuseMount.releaseAbandoned(dir);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while releasing the mounts in " + dir, e);
                }
                Trees.delete(dir);
                Files.deleteIfExists(claimFile(dir));
                removed.add(dir);
            }
        }
        return removed;
    }

    private static boolean abandoned(Path dir) throws IOException {
        Path file = claimFile(dir);
        if (!Files.exists(file)) {
            return Files.getLastModifiedTime(dir).toInstant().isBefore(Instant.now().minus(UNCLAIMED_GRACE));
        }
        return !held(dir);
    }

    /** Whether a live process claims {@code dir} (a claim file or a claimed directory may be given). */
    public static boolean held(Path dir) throws IOException {
        Path file = dir.getFileName().toString().endsWith(".claim") ? dir : claimFile(dir);
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException heldHere) {
            return true;
        } catch (java.nio.file.NoSuchFileException released) {
            return false;
        }
    }

    private static Path claimFile(Path dir) {
        return dir.resolveSibling(dir.getFileName() + ".claim");
    }

    /** Releases the claim and removes its file (call once the directory itself is gone). */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
            Files.deleteIfExists(file);
        }
    }
}
