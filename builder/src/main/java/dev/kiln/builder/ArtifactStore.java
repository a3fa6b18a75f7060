package dev.kiln.builder;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where built images and their logs are kept. Objects are content-addressed (by sha256), so a location, once in
 * an event, always names the same bytes; a human-readable name is kept beside them.
 */
public interface ArtifactStore {
    /**
     * Stores a file, streaming it (never whole in memory). The file is the build's own copy: a store may take it
     * (move it) rather than copy it.
     *
     * @param name   human-readable name, e.g. {@code debian-web/0.1.0/debian-web-0.1.0.qcow2}
     * @param sha256 the file's digest, already computed
     * @return the location to put in events: {@code file://…} or {@code s3://bucket/key}
     */
    String put(String name, Path file, String sha256) throws IOException;

    /**
     * A local, readable copy of a stored artifact (for comparing a rebuild with it): the file itself where the store is
     * local, else a download into {@code scratch}. Only locations this store handed out are accepted.
     */
    Path local(String location, Path scratch) throws IOException;
}
