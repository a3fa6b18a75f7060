package dev.kiln.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code ./kiln rebuild IMAGE VERSION}: asks the registry to rebuild a released tag from scratch, waits for the
 * builder's verdict and prints it: {@code bit-identical} (exit 0), or {@code differs} with what differs and where the
 * report is (exit 1). Exit 2 when the rebuild could not run. The write token is read from a file or the environment,
 * never from the command line.
 */
public final class RebuildCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RebuildCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        String image = null;
        String version = null;
        String registry = System.getenv().getOrDefault("KILN_REGISTRY_URL", "");
        String tokenFile = System.getenv().getOrDefault("KILN_REGISTRY_TOKEN_FILE", "");
        Duration timeout = Duration.ofHours(2);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--registry" -> registry = value(args, ++i, "--registry");
                case "--token-file" -> tokenFile = value(args, ++i, "--token-file");
                case "--timeout-minutes" -> timeout = Duration.ofMinutes(Long.parseLong(value(args, ++i, "--timeout-minutes")));
                case "--help", "-h" -> {
                    usage();
                    return 0;
                }
                default -> {
                    if (image == null) {
                        image = args[i];
                    } else if (version == null) {
                        version = args[i];
                    } else {
                        return error("unexpected argument '" + args[i] + "'");
                    }
                }
            }
        }
        if (image == null || version == null) {
            usage();
            return 2;
        }
        if (registry.isBlank()) {
            return error("which registry? set KILN_REGISTRY_URL or --registry URL (./kiln up writes it to $KILN_STATE/registry-url)");
        }
        try {
            String token = token(tokenFile, System.getenv("KILN_REGISTRY_WRITE_TOKEN"), "a rebuild");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            String base = registry.replaceAll("/+$", "") + "/api/v1/images/" + image + "/versions/" + version + "/rebuilds";
            HttpResponse<String> asked = http.send(HttpRequest.newBuilder(URI.create(base)).POST(HttpRequest.BodyPublishers.noBody())
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (asked.statusCode() != 202) {
                return error("the registry refused the rebuild (" + asked.statusCode() + "): " + detail(asked.body()));
            }
            String id = JSON.readTree(asked.body()).path("id").asText();
            System.out.println("kiln: rebuilding " + image + " " + version + " from its tag (rebuild " + id + "); a builder takes it when it is free");
            Instant deadline = Instant.now().plus(timeout);
            while (Instant.now().isBefore(deadline)) {
                HttpResponse<String> polled = http.send(HttpRequest.newBuilder(URI.create(base + "/" + id)).GET()
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                if (polled.statusCode() == 200) {
                    JsonNode rebuild = JSON.readTree(polled.body());
                    String verdict = rebuild.path("verdict").asText();
                    if (!verdict.equals(RebuildRecord.REQUESTED)) {
                        return print(rebuild);
                    }
                }
                Thread.sleep(5000);
            }
            return error("no verdict within " + timeout.toMinutes() + " minutes; the rebuild goes on: GET " + base + "/" + id);
        } catch (IOException e) {
            return error(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error("interrupted");
        }
    }

    private static int print(JsonNode rebuild) {
        String verdict = rebuild.path("verdict").asText();
        System.out.println(verdict);
        for (JsonNode f : rebuild.path("formats")) {
            System.out.printf("  %-6s recorded %s%n         rebuilt  %s%n", f.path("format").asText(), f.path("recordedSha256").asText(),
                    f.path("rebuiltSha256").isNull() ? "(not made)" : f.path("rebuiltSha256").asText());
        }
        rebuild.path("differences").forEach(line -> System.out.println("  " + line.asText()));
        if (!rebuild.path("reason").isNull() && !rebuild.path("reason").asText().isEmpty()) {
            System.out.println("  reason: " + rebuild.path("reason").asText());
        }
        if (!rebuild.path("reportLocation").isNull() && !rebuild.path("reportLocation").asText().isEmpty()) {
            System.out.println("  report: " + rebuild.path("reportLocation").asText());
        }
        System.out.println("  rebuilt by " + rebuild.path("builder").asText());
        return switch (verdict) {
            case "bit-identical" -> 0;
            case "differs" -> 1;
            default -> 2;
        };
    }

    /** The write token: from the environment's value if set, else from the file; never from a command line. */
    static String token(String tokenFile, String fromEnvironment, String what) throws IOException {
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.trim();
        }
        if (tokenFile == null || tokenFile.isBlank()) {
            throw new IOException(what + " needs the registry's write token: KILN_REGISTRY_WRITE_TOKEN, or a file named by "
                    + "KILN_REGISTRY_TOKEN_FILE or --token-file (./kiln up keeps it in $KILN_STATE/registry-token)");
        }
        return Files.readString(Path.of(tokenFile)).trim();
    }

    /** A problem document's detail, or the body as it is. */
    static String detail(String body) {
        try {
            return JSON.readTree(body).path("detail").asText(body);
        } catch (IOException e) {
            return body;
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int error(String message) {
        System.err.println("kiln rebuild: " + message);
        return 2;
    }

    private static void usage() {
        System.err.println("""
                usage: ./kiln rebuild IMAGE VERSION [--registry URL] [--token-file FILE] [--timeout-minutes N]
                  Rebuilds the released tag from scratch and compares every published format with the registry's digests.
                  Prints bit-identical (exit 0) or differs with what differs (exit 1); exit 2 when it could not run.
                  The registry: KILN_REGISTRY_URL or --registry. The write token: KILN_REGISTRY_WRITE_TOKEN or a file
                  (KILN_REGISTRY_TOKEN_FILE, --token-file); ./kiln up writes both under $KILN_STATE.""");
    }
}
