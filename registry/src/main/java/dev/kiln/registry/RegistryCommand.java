package dev.kiln.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./kiln images | versions | lookup | status | promote | revoke}: the registry's REST API from a terminal.
 * Every read takes {@code --json} (the registry's answer as it is). Exit codes: 0 done; 1 the registry said no (an
 * unknown image, version or format, a revoked version, a refused write); 2 the command could not ask (bad usage, no
 * registry given or reachable, no write token). The registry is {@code --registry URL} or KILN_REGISTRY_URL; the write
 * token comes from KILN_REGISTRY_WRITE_TOKEN or a file (KILN_REGISTRY_TOKEN_FILE, --token-file), never the command line.
 */
public final class RegistryCommand {
    static final String USAGE = """
            usage: ./kiln images [--json]
                   ./kiln versions IMAGE [--json]
                   ./kiln lookup IMAGE (--version V | --channel C) --format F [--json]
                   ./kiln status IMAGE VERSION [--json]
                   ./kiln promote IMAGE CHANNEL VERSION
                   ./kiln revoke IMAGE VERSION --reason TEXT
            options: --registry URL (or KILN_REGISTRY_URL), --token-file FILE (or KILN_REGISTRY_WRITE_TOKEN)
            exit: 0 done, 1 the registry said no, 2 could not ask""";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> environment;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    RegistryCommand(PrintStream out, PrintStream err, Map<String, String> environment) {
        this.out = out;
        this.err = err;
        this.environment = environment;
    }

    public static void main(String[] args) {
        System.exit(new RegistryCommand(System.out, System.err, System.getenv()).run(args));
    }

    /** A command line taken apart: the words, and each option's value ("--json" has "true"). */
    private record Line(String command, List<String> words, Map<String, String> options) {
        String option(String name) {
            return options.get(name);
        }
    }

    int run(String[] args) {
        Line line;
        try {
            line = parse(args);
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        String registry = line.options().getOrDefault("--registry", environment.getOrDefault("KILN_REGISTRY_URL", ""));
        if (registry.isBlank()) {
            return cannot("which registry? give --registry URL or set KILN_REGISTRY_URL (./kiln up writes it to $KILN_STATE/registry-url)");
        }
        String base = registry.strip().replaceAll("/+$", "") + "/api/v1/images";
        if (!isHttpUrl(base)) {
            return cannot("the registry '" + registry + "' is not an http:// or https:// URL, e.g. http://localhost:8084");
        }
        boolean json = line.options().containsKey("--json");
        List<String> w = line.words();
        try {
            return switch (line.command()) {
                case "images" -> need(w, 0) ? read(base, json, this::printImages) : usage("images takes no argument");
                case "versions" -> need(w, 1) ? read(base + "/" + path(w.get(0)) + "/versions", json, this::printVersions)
                        : usage("versions IMAGE");
                case "lookup" -> lookup(base, line, json);
                case "status" -> need(w, 2) ? read(base + "/" + path(w.get(0)) + "/versions/" + path(w.get(1)), json, this::printStatus)
                        : usage("status IMAGE VERSION");
                case "promote" -> need(w, 3) ? write("PUT", base + "/" + path(w.get(0)) + "/channels/" + path(w.get(1)),
                        JSON.createObjectNode().put("version", w.get(2)), line,
                        answer -> out.printf("%s: channel %s now points at %s%n", w.get(0), w.get(1), answer.path("version").asText()))
                        : usage("promote IMAGE CHANNEL VERSION");
                case "revoke" -> {
                    if (!need(w, 2) || line.option("--reason") == null || line.option("--reason").isBlank()) {
                        yield usage("revoke IMAGE VERSION --reason TEXT (the reason is for the people who would use it)");
                    }
                    yield write("POST", base + "/" + path(w.get(0)) + "/versions/" + path(w.get(1)) + "/revoke",
                            JSON.createObjectNode().put("reason", line.option("--reason")), line,
                            answer -> out.printf("%s %s is revoked: %s%n", w.get(0), w.get(1), answer.path("revokedReason").asText()));
                }
                default -> usage("unknown command '" + line.command() + "'");
            };
        } catch (IOException e) {
            String why = e instanceof java.net.ConnectException ? "nothing answers there (is it running? ./kiln up starts one)"
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return cannot("cannot reach the registry at " + registry + ": " + why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return cannot("interrupted");
        }
    }

    private int lookup(String base, Line line, boolean json) throws IOException, InterruptedException {
        String version = line.option("--version");
        String channel = line.option("--channel");
        String format = line.option("--format");
        if (!need(line.words(), 1) || format == null || (version == null) == (channel == null)) {
            return usage("lookup IMAGE (--version V | --channel C) --format F");
        }
        String query = (version != null ? "version=" + query(version) : "channel=" + query(channel)) + "&format=" + query(format);
        return read(base + "/" + path(line.words().get(0)) + "/lookup?" + query, json, answer -> {
            out.printf("%s %s %s%s%n", answer.path("image").asText(), answer.path("version").asText(), answer.path("format").asText(),
                    answer.path("channel").isTextual() ? " (channel " + answer.path("channel").asText() + ")" : "");
            out.println("  location " + answer.path("location").asText());
            out.println("  sha256   " + answer.path("sha256").asText());
            out.println("  size     " + answer.path("size").asLong() + " bytes (disk " + answer.path("virtualSize").asLong() + ")");
            out.println("  commit   " + answer.path("commit").asText());
            JsonNode rebuild = answer.path("rebuild");
            out.println("  rebuild  " + (rebuild.isObject() ? rebuild.path("verdict").asText() + " (" + rebuild.path("completedAt").asText() + ")"
                    : "not rebuilt yet (./kiln rebuild)"));
        });
    }

    private void printImages(JsonNode images) {
        out.printf("%-32s %8s  %s%n", "IMAGE", "VERSIONS", "LATEST PUBLISHED");
        for (JsonNode image : images) {
            out.printf("%-32s %8d  %s%n", image.path("image").asText(), image.path("versions").asLong(),
                    image.path("latestPublished").isTextual() ? image.path("latestPublished").asText() : "-");
        }
    }

    private void printVersions(JsonNode versions) {
        out.printf("%-16s %-10s %-26s %s%n", "VERSION", "STATE", "CREATED", "FORMATS");
        for (JsonNode version : versions) {
            List<String> formats = new ArrayList<>();
            version.path("formats").forEach(f -> formats.add(f.path("format").asText() + ":" + f.path("state").asText().toLowerCase(java.util.Locale.ROOT)));
            out.printf("%-16s %-10s %-26s %s%n", version.path("version").asText(), version.path("state").asText(),
                    version.path("createdAt").asText(), String.join(" ", formats));
        }
    }

    /** The release's journey per format, as far as the registry recorded it. */
    private void printStatus(JsonNode version) {
        out.printf("%s %s: %s (tag %s at %s, recorded %s)%n", version.path("image").asText(), version.path("version").asText(),
                version.path("state").asText(), version.path("tag").asText(), abbreviate(version.path("commit").asText()),
                version.path("createdAt").asText());
        if (version.path("revokedReason").isTextual()) {
            out.printf("  REVOKED %s: %s%n", version.path("revokedAt").asText(), version.path("revokedReason").asText());
        }
        for (JsonNode format : version.path("formats")) {
            String state = format.path("state").asText();
            StringBuilder line = new StringBuilder(String.format("  %-6s %-14s", format.path("format").asText(), state));
            if (format.path("publishedAt").isTextual()) {
                line.append(" published ").append(format.path("publishedAt").asText());
            }
            if (format.path("verification").path("bootMillis").isNumber()) {
                line.append(", booted in ").append(format.path("verification").path("bootMillis").asLong() / 1000).append(" s");
            }
            if (format.path("failureReason").isTextual()) {
                line.append(" at ").append(format.path("failureStage").asText()).append(": ").append(format.path("failureReason").asText());
            }
            if (format.path("findings").isArray() && !format.path("findings").isEmpty()) {
                format.path("findings").forEach(f -> line.append("\n           ").append(f.path("rule").asText()).append(" ")
                        .append(f.path("path").asText()).append(": ").append(f.path("message").asText()));
            }
            if (format.path("reportLocation").isTextual()) {
                line.append("\n           report ").append(format.path("reportLocation").asText());
            }
            out.println(line);
        }
    }

    private interface Printer {
        void print(JsonNode answer);
    }

    private int read(String url, boolean json, Printer printer) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "application/json")
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return answered(response, json, printer);
    }

    private int write(String method, String url, ObjectNode body, Line line, Printer printer) throws IOException, InterruptedException {
        String token;
        try {
            token = RebuildCommand.token(line.options().getOrDefault("--token-file", environment.getOrDefault("KILN_REGISTRY_TOKEN_FILE", "")),
                    environment.get("KILN_REGISTRY_WRITE_TOKEN"), line.command());
        } catch (IOException e) {
            return cannot(e.getMessage());
        }
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        return answered(response, line.options().containsKey("--json"), printer);
    }

    private int answered(HttpResponse<String> response, boolean json, Printer printer) throws IOException {
        if (response.statusCode() >= 500) {
            return cannot("the registry failed (" + response.statusCode() + "): " + RebuildCommand.detail(response.body()));
        }
        if (response.statusCode() >= 400) {
            err.println("kiln: " + RebuildCommand.detail(response.body()) + " (" + response.statusCode() + ")");
            return 1;
        }
        JsonNode answer = JSON.readTree(response.body());
        if (json) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        } else {
            printer.print(answer);
        }
        return 0;
    }

    private static Line parse(String[] args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("a command is needed");
        }
        List<String> words = new ArrayList<>();
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--json" -> options.put(arg, "true");
                case "--registry", "--token-file", "--version", "--channel", "--format", "--reason" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(arg + " needs a value");
                    }
                    options.put(arg, args[++i]);
                }
                default -> {
                    if (arg.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + arg);
                    }
                    words.add(arg);
                }
            }
        }
        return new Line(args[0], words, options);
    }

    private static boolean need(List<String> words, int count) {
        return words.size() == count;
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = new URI(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** One path segment, whatever the user typed: it cannot reach another resource. */
    private static String path(String segment) {
        String encoded = URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
        return encoded.equals(".") || encoded.equals("..") ? encoded.replace(".", "%2E") : encoded;
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String commit) {
        return commit.length() > 12 ? commit.substring(0, 12) : commit;
    }

    private int usage(String problem) {
        err.println("kiln: " + problem);
        err.println(USAGE);
        return 2;
    }

    private int cannot(String problem) {
        err.println("kiln: " + problem);
        return 2;
    }
}
