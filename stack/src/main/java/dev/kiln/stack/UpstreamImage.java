package dev.kiln.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The trusted upstream image of scripts/build-upstream-image, built once per machine (cached by its inputs) and
 * reused: what tests and the local stack build images from.
 *
 * @param image    the qcow2 file
 * @param sha256   its digest, from the SHA256SUMS beside it
 * @param buildKey the private key of the build login
 */
public record UpstreamImage(Path image, String sha256, Path buildKey) {
    private static UpstreamImage shared;

    /** Builds the image, or reuses the cached one; the kiln checkout is {@code kiln.repo.root} (tests run in a module). */
    public static UpstreamImage buildOrReuse() {
        return buildOrReuse(Path.of(System.getProperty("kiln.repo.root", "..")));
    }

    /** Builds the image with the script of the kiln checkout at {@code root}, or reuses the cached one. */
    public static synchronized UpstreamImage buildOrReuse(Path root) {
        if (shared != null) {
            return shared;
        }
        Path script = root.resolve("scripts").resolve("build-upstream-image");
        try {
            Path log = Files.createTempFile("upstream-image", ".log");
            Process build = new ProcessBuilder(script.toString()).redirectError(log.toFile()).start();
            String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!build.waitFor(20, TimeUnit.MINUTES) || build.exitValue() != 0) {
                build.destroyForcibly();
                throw new IllegalStateException(script + " failed:\n" + Files.readString(log));
            }
            Files.deleteIfExists(log);
            Path image = Path.of(out.substring(out.lastIndexOf('\n') + 1));
            String sums = Files.readString(image.resolveSibling("SHA256SUMS"));
            String sha256 = sums.lines().filter(line -> line.endsWith(image.getFileName().toString()))
                    .map(line -> line.substring(0, 64)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("SHA256SUMS lists no " + image.getFileName()));
            shared = new UpstreamImage(image, sha256, image.resolveSibling("build_key"));
            return shared;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the upstream image", e);
        }
    }
}
