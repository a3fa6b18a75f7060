package dev.kiln.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./kiln up}'s demo deployment: the example image's newest published version, one instance on local QEMU,
 * healthy once its console shows a login prompt; every newer release replaces it turn-and-burn. Declared in the
 * deploy service's declarations file, which KilnServices hands to it; {@code KILN_DEMO_DEPLOYMENT=off} leaves it out.
 */
public final class DemoDeployment {
    public static final String NAME = "demo";

    private DemoDeployment() {
    }

    /** Writes (or, when turned off, removes) the declarations file; whether the demo deployment is on. */
    public static boolean declare(Path state, String image) throws IOException {
        Path file = state.resolve("deploy/deployments.yaml");
        if ("off".equalsIgnoreCase(System.getenv().getOrDefault("KILN_DEMO_DEPLOYMENT", "on"))) {
            Files.deleteIfExists(file);
            return false;
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                # Written by ./kiln up (KILN_DEMO_DEPLOYMENT=off leaves it out): the example image's newest version on local QEMU.
                deployments:
                  - name: %s
                    image: %s
                    channel: latest
                    format: qcow2
                    instances: 1
                    health:
                      marker: "login:"
                      timeout: 10m
                """.formatted(NAME, image));
        return true;
    }

    /** A demo deployment declared by an earlier run, with the demo now off: deleted, so its instance is retired. */
    static void withdraw(String deployUrl, Path state) throws IOException, InterruptedException {
        String token = Files.readString(state.resolve("deploy-token")).strip();
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(deployUrl + "/api/v1/deployments/" + NAME))
                .header("Authorization", "Bearer " + token).DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }
}
