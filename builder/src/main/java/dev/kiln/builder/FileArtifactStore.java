package dev.kiln.builder;

import dev.kiln.events.Sha256;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The default store: a directory with blobs under {@code sha256/<digest>} and, under {@code images/}, a hard link
 * per human-readable name. A blob that is already there is not copied again; on the workspace's filesystem a file
 * is moved in, not copied.
 */
final class FileArtifactStore implements ArtifactStore {
    private final Path root;

    FileArtifactStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String put(String name, Path file, String sha256) throws IOException {
        Path blob = root.resolve("sha256").resolve(sha256);
        if (!Files.exists(blob)) {
            Files.createDirectories(blob.getParent());
            Path partial = Files.createTempFile(blob.getParent(), sha256 + ".", ".part");
            try {
                try {
                    // Same filesystem: a rename keeps a sparse disk sparse and writes nothing.
                    Files.move(file, partial, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException elsewhere) {
                    Files.copy(file, partial, StandardCopyOption.REPLACE_EXISTING);
                    if (!Sha256.of(partial).equals(sha256)) {
                        throw new IOException("the copy of " + file + " in the artifact store does not match its sha256 (disk error?)");
                    }
                }
                partial.toFile().setReadOnly();
                Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException raced) {
                // another build stored the same bytes first
            } finally {
                Files.deleteIfExists(partial);
            }
        }
        Path named = root.resolve("images").resolve(name).normalize();
        if (!named.startsWith(root.resolve("images"))) {
            throw new IOException("artifact name " + name + " leaves the store");
        }
        Files.createDirectories(named.getParent());
        if (Files.exists(named) && Files.isSameFile(named, blob)) {
            // Stored before (a release built again after a redelivery): the name already is this blob.
            return blob.toUri().toString();
        }
        Path link = Files.createTempFile(named.getParent(), ".link", ".tmp");
        try {
            Files.delete(link);
            Files.createLink(link, blob);
            Files.move(link, named, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            // rename(2) does nothing when both names are links to one file already: the temporary name would stay.
            Files.deleteIfExists(link);
        }
        return blob.toUri().toString();
    }

    @Override
    public Path local(String location, Path scratch) throws IOException {
        Path file;
        try {
            file = Path.of(java.net.URI.create(location)).toAbsolutePath().normalize();
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new IOException("'" + location + "' is not a location of this file store (" + root + ")");
        }
        if (!file.startsWith(root.resolve("sha256")) || !Files.isRegularFile(file)) {
            throw new IOException("'" + location + "' is not an artifact in this file store (" + root + ")");
        }
        return file;
    }
}
