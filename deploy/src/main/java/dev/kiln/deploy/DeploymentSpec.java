package dev.kiln.deploy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.events.ChannelMoved;
import dev.kiln.events.DiskFormat;
import dev.kiln.events.Release;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A declared deployment: which image, at which version (pinned) or channel (followed), in which format, how many
 * instances, where they run, how they prove healthy, and what happens when the version they run is revoked.
 *
 * @param channel   a registry channel to follow, or {@code latest}: the newest published version; absent when pinned
 * @param version   a pinned version; absent when following a channel
 * @param onRevoked {@code replace}: move to the channel's newest good version (for a pinned deployment, the image's);
 *                  {@code stop}: retire the fleet
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = false)
public record DeploymentSpec(String name, String image, String channel, String version, String format, Integer instances,
                             String target, Health health, String onRevoked) {
    /** The channel that needs no promotion: the newest published, not revoked version. */
    public static final String LATEST = "latest";
    public static final String LOCAL_QEMU = "local-qemu";
    public static final int MAX_INSTANCES = 16;

    /**
     * How an instance proves it is up: a regular expression on its serial console, or a guest TCP port that answers
     * (sends at least one byte, as SSH's banner does) through a port forwarded to this host's loopback.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Health(String marker, Integer port, String timeout) {
        public Duration timeoutDuration() {
            return timeout == null ? Duration.ofMinutes(5) : parseDuration(timeout);
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** A deployment that follows a channel, with the defaults filled in. */
    public static DeploymentSpec following(String name, String image, String channel, String format, int instances, Health health) {
        return new DeploymentSpec(name, image, channel, null, format, instances, LOCAL_QEMU, health, "replace").validated();
    }

    /** A deployment pinned to one version. */
    public static DeploymentSpec pinned(String name, String image, String version, String format, int instances, Health health) {
        return new DeploymentSpec(name, image, null, version, format, instances, LOCAL_QEMU, health, "replace").validated();
    }

    public DeploymentSpec withOnRevoked(String policy) {
        return new DeploymentSpec(name, image, channel, version, format, instances, target, health, policy).validated();
    }

    /** The same declaration with its defaults filled in, or {@link InvalidDeployment} saying what to fix. */
    public DeploymentSpec validated() {
        List<String> problems = new ArrayList<>();
        if (name == null || !ChannelMoved.isChannelName(name)) {
            problems.add("name must be 1-63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (image == null || !ChannelMoved.isChannelName(image)) {
            problems.add("image must name an image (lowercase letters, digits, '.', '_', '-')");
        }
        if ((channel == null) == (version == null)) {
            problems.add("give exactly one of channel (a channel to follow, or 'latest') and version (a pinned version)");
        }
        if (channel != null && !ChannelMoved.isChannelName(channel)) {
            problems.add("channel '" + channel + "' is not a channel name");
        }
        if (version != null) {
            Release.versionRefusal(version).ifPresent(problems::add);
        }
        String f = format == null ? "qcow2" : format;
        if (DiskFormat.find(f).isEmpty() || f.equals("ova")) {
            problems.add("format must be one QEMU runs directly: raw, qcow2, vhd, vhdx or vmdk (an OVA is unpacked by its hypervisor)");
        }
        int count = instances == null ? 1 : instances;
        if (count < 1 || count > MAX_INSTANCES) {
            problems.add("instances must be 1-" + MAX_INSTANCES);
        }
        String where = target == null ? LOCAL_QEMU : target;
        if (!where.equals(LOCAL_QEMU)) {
            problems.add("target '" + where + "' is not available: this deploy service runs 'local-qemu' (EC2 is the next target, docs/deploy.md)");
        }
        Health h = health == null ? new Health("login:", null, null) : health;
        if ((h.marker() == null) == (h.port() == null)) {
            problems.add("health needs exactly one of marker (a regular expression on the serial console) and port (a guest TCP port)");
        }
        if (h.marker() != null) {
            try {
                Pattern.compile(h.marker());
            } catch (PatternSyntaxException e) {
                problems.add("health.marker is not a regular expression: " + e.getDescription());
            }
        }
        if (h.port() != null && (h.port() < 1 || h.port() > 65535)) {
            problems.add("health.port must be 1-65535");
        }
        try {
            Duration timeout = h.timeoutDuration();
            if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofHours(1)) > 0) {
                problems.add("health.timeout must be more than 0 and at most 1h");
            }
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        String policy = onRevoked == null ? "replace" : onRevoked;
        if (!policy.equals("replace") && !policy.equals("stop")) {
            problems.add("onRevoked must be replace (move to the newest good version) or stop (retire the fleet)");
        }
        if (!problems.isEmpty()) {
            throw new InvalidDeployment("deployment " + (name == null ? "(no name)" : "'" + name + "'") + ": " + String.join("; ", problems));
        }
        return new DeploymentSpec(name, image, channel, version, f, count, where, h, policy);
    }

    public boolean pinned() {
        return version != null;
    }

    public String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static DeploymentSpec fromJson(String json) {
        try {
            return JSON.readValue(json, DeploymentSpec.class).validated();
        } catch (JsonProcessingException e) {
            throw new InvalidDeployment("the deployment is not valid JSON: " + message(e));
        }
    }

    /** A declarations file: {@code deployments:} followed by a list of deployments. */
    public static List<DeploymentSpec> parseFile(String yaml) {
        record File(List<DeploymentSpec> deployments) {
        }
        try {
            File file = YAML.readValue(yaml, File.class);
            if (file == null || file.deployments() == null) {
                throw new InvalidDeployment("the declarations file needs a 'deployments:' list");
            }
            List<DeploymentSpec> specs = file.deployments().stream().map(DeploymentSpec::validated).toList();
            if (specs.stream().map(DeploymentSpec::name).distinct().count() != specs.size()) {
                throw new InvalidDeployment("the declarations file names a deployment twice");
            }
            return specs;
        } catch (JsonProcessingException e) {
            throw new InvalidDeployment("the declarations file is not valid: " + message(e));
        }
    }

    private static String message(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown key '" + unknown.getPropertyName() + "' (keys: name, image, channel, version, format, instances, target, health, onRevoked)";
        }
        String where = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                ? " at " + m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                        .reduce((a, b) -> a + "." + b).orElse("") : "";
        return e.getOriginalMessage() + where;
    }

    /** 30s, 5m, 1h or an ISO-8601 duration. */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.matches("\\d+[smh]")) {
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                return switch (t.charAt(t.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("health.timeout '" + text + "' is not a duration (30s, 5m, 1h)");
        }
    }

    /** A declaration that cannot be accepted, with what to fix. */
    public static final class InvalidDeployment extends IllegalArgumentException {
        public InvalidDeployment(String message) {
            super(message);
        }
    }
}
