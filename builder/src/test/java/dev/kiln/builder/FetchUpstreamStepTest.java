package dev.kiln.builder;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FetchUpstreamStepTest {
    @TempDir
    Path temp;

    /** A mirror that starts sending and then stalls: the download is stopped at its own deadline, nothing half-written kept. */
    @Test
    void aStalledDownloadIsStoppedAtItsDeadline() throws Exception {
        HttpServer mirror = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        mirror.createContext("/debian.qcow2", exchange -> {
            exchange.sendResponseHeaders(200, 1L << 30);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(new byte[4096]);
                body.flush();
                Thread.sleep(60_000);
            } catch (InterruptedException | java.io.IOException e) {
                // the client went away
            }
        });
        mirror.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        mirror.start();
        try {
            Path cache = temp.resolve("upstream");
            BuilderConfig config = StepContexts.config(Map.of("kiln.builder.fetch-timeout", "2s", "kiln.builder.upstream-cache", cache.toString()));
            BuildContext build = StepContexts.withWorkspace(temp.resolve("ws"), List.of("raw"), config,
                    "http://127.0.0.1:" + mirror.getAddress().getPort() + "/debian.qcow2");
            Instant start = Instant.now();
            BuildFailure failure = assertThrows(BuildFailure.class, () -> new FetchUpstreamStep().run(build));
            assertTrue(Duration.between(start, Instant.now()).toSeconds() < 15, "stopped near its deadline");
            assertTrue(failure.getMessage().contains("passed its deadline of 2s (kiln.builder.fetch-timeout)"), failure.getMessage());
            try (var left = Files.list(cache)) {
                assertEquals(List.of(), left.toList(), "no partial download is kept");
            }
            assertTrue(!Thread.currentThread().isInterrupted());
        } finally {
            mirror.stop(0);
        }
    }
}
