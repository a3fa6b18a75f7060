package dev.kiln.builder;

import dev.kiln.events.Sha256;
import dev.kiln.events.KilnFile;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * fetch-upstream: the upstream image, downloaded once into a cache keyed by its pinned sha256 and checked against that
 * pin every time it is used, before anything boots it. A mismatch fails the build; nothing unverified is booted.
 */
final class FetchUpstreamStep implements BuildStep {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30)).build();


    /** Public, checksum-verified content: the unprivileged build user reads it (a temporary file starts owner-only). */
    private static void readableByTheBuild(Path image) throws java.io.IOException {
        Files.setPosixFilePermissions(image, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }

    @Override
    public void run(BuildContext build) throws Exception {
        KilnFile.Upstream upstream = build.kilnFile().upstream();
        Path cache = build.config().upstreamCache();
        Files.createDirectories(cache);
        Path cached = cache.resolve(upstream.sha256() + ".img");
        if (Files.exists(cached)) {
            String actual = Sha256.of(cached);
            if (actual.equals(upstream.sha256())) {
                readableByTheBuild(cached);
                build.upstreamImage(cached);
                build.log("upstream image " + upstream.url() + " verified from the cache (sha256 " + actual + ")");
                return;
            }
            build.log("cached upstream " + cached + " no longer matches its sha256 (" + actual + "); downloading it again");
            Files.delete(cached);
        }
        Path partial = Files.createTempFile(cache, upstream.sha256() + ".", ".part");
        try {
            download(upstream.url(), partial, build.config().fetchTimeout());
            String actual = Sha256.of(partial);
            if (!actual.equals(upstream.sha256())) {
                throw new BuildFailure("checksum mismatch: the upstream image at " + upstream.url() + " has sha256 " + actual
                        + " but kiln.yaml pins " + upstream.sha256() + "; nothing was booted. Check the publisher's SHA256SUMS and upstream.sha256");
            }
            readableByTheBuild(partial);
            Files.move(partial, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
        build.upstreamImage(cached);
        build.log("upstream image " + upstream.url() + " downloaded and verified (sha256 " + upstream.sha256() + ")");
    }

    /**
     * The image at {@code url} into {@code target}, within {@code deadline}: a mirror that stalls or crawls is given up
     * on (the transfer cancelled) with a reason, not waited for until the whole build's deadline.
     */
    private static void download(String url, Path target, Duration deadline) throws BuildFailure, IOException, InterruptedException {
        URI uri = URI.create(url);
        if ("file".equals(uri.getScheme())) {
            try {
                Files.copy(Path.of(uri), target, StandardCopyOption.REPLACE_EXISTING);
                return;
            } catch (NoSuchFileException e) {
                throw new BuildFailure("the upstream image " + url + " does not exist on the builder's machine");
            }
        }
        java.util.concurrent.CompletableFuture<HttpResponse<Path>> transfer = HTTP.sendAsync(
                HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).GET().build(), HttpResponse.BodyHandlers.ofFile(target));
        HttpResponse<Path> response;
        try {
            response = transfer.get(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            transfer.cancel(true);
            throw new BuildFailure("the download of the upstream image " + url + " passed its deadline of "
                    + deadline.toString().substring(2).toLowerCase() + " (kiln.builder.fetch-timeout) and was stopped");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new BuildFailure("cannot download the upstream image " + url + ": "
                    + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()), cause);
        } catch (InterruptedException e) {
            transfer.cancel(true);
            throw e;
        }
        if (response.statusCode() != 200) {
            throw new BuildFailure("cannot download the upstream image " + url + ": HTTP " + response.statusCode());
        }
    }
}
