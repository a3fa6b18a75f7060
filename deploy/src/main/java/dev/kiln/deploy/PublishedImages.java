package dev.kiln.deploy;

import dev.kiln.disk.ToolProcess;
import dev.kiln.events.DiskFormat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * Published artifacts on this machine, each fetched once from the artifact store and checked against the sha256 the
 * registry published before any instance uses it; instances are overlays on these files, which nothing writes.
 */
final class PublishedImages {
    private final Path directory;

    PublishedImages(Path directory) {
        this.directory = directory.toAbsolutePath();
    }

    /** A published artifact that cannot be used, with why: the rollout fails with it. */
    static final class UnusableArtifact extends Exception {
        UnusableArtifact(String message) {
            super(message);
        }
    }

    synchronized Path local(DeployLedger.PublishedRow published) throws IOException, InterruptedException, UnusableArtifact {
        DiskFormat format = DiskFormat.of(published.format());
        Path file = directory.resolve(published.sha256() + "." + format.extension());
        if (Files.isRegularFile(file)) {
            return file;
        }
        URI location = URI.create(published.location());
        if (!"file".equals(location.getScheme())) {
            throw new UnusableArtifact("the artifact is at " + published.location() + ": this deploy service reads file:// artifact stores"
                    + " (the embedded default); an S3 store needs a fetch it does not have yet");
        }
        Path source = Path.of(location);
        if (!Files.isRegularFile(source)) {
            throw new UnusableArtifact("the published artifact is not in the store at " + published.location());
        }
        Files.createDirectories(directory);
        Path partial = directory.resolve(published.sha256() + ".partial");
        ToolProcess.check(List.of("cp", "--sparse=always", "--reflink=auto", source.toString(), partial.toString()), directory,
                Duration.ofMinutes(10), line -> { });
        String digest = dev.kiln.events.Sha256.of(partial);
        if (!digest.equals(published.sha256())) {
            Files.deleteIfExists(partial);
            throw new UnusableArtifact("the artifact at " + published.location() + " has sha256 " + digest + ", not the published "
                    + published.sha256() + ": it was changed after publication and is not run");
        }
        partial.toFile().setReadOnly();
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /** Removes the local copies no instance runs on any more (a rollout just retired their last overlays). */
    synchronized java.util.List<Path> prune(java.util.Set<String> inUse) throws IOException {
        java.util.List<Path> removed = new java.util.ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return removed;
        }
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                String digest = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
                if (!inUse.contains(digest)) {
                    Files.deleteIfExists(file);
                    removed.add(file);
                }
            }
        }
        return removed;
    }
}
