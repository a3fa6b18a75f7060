package dev.kiln.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An image repository's {@code kiln.yaml}: the contract between the people who keep an image and kiln's
 * services. Every key is described in docs/kiln-yaml.md. Unknown keys are errors here, unlike in events: a
 * misspelt key in a hand-written file should fail the release, not be silently ignored.
 */
public record KilnFile(String image, String description, Upstream upstream, Build build, List<String> formats,
                       Verify verify) {
    public static final String PATH = "kiln.yaml";
    public static final List<String> ALL_FORMATS = DiskFormat.ids();
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern REPO_PATH = Pattern.compile("[A-Za-z0-9._/-]+");
    private static final Pattern GO_DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");
    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    public KilnFile {
        Require.imageName(image, "image");
        Require.present(upstream, "upstream");
        Require.present(build, "build");
        formats = formats == null ? ALL_FORMATS : List.copyOf(new LinkedHashSet<>(formats));
        for (String format : formats) {
            if (!ALL_FORMATS.contains(format)) {
                throw new InvalidField("formats", "lists '" + format + "'; kiln builds " + String.join(", ", ALL_FORMATS));
            }
        }
        if (formats.isEmpty()) {
            throw new InvalidField("formats", "is empty; leave it out to build every format");
        }
        verify = verify == null ? new Verify(List.of()) : verify;
    }

    /** Where the image starts from: a published image pinned by its checksum. */
    public record Upstream(String url, String sha256, String sshUsername, String sshPrivateKeyFile) {
        /** The login scripts/build-upstream-image gives the build's key to: upstream.ssh_username when unset. */
        public static final String DEFAULT_SSH_USERNAME = "kiln-build";

        public Upstream {
            Require.text(url, "upstream.url");
            if (!url.startsWith("https://") && !url.startsWith("http://") && !url.startsWith("file:///")) {
                throw new InvalidField("upstream.url", "must be an https://, http:// or file:/// URL, but was '" + url + "'");
            }
            if (sha256 == null || !SHA256.matcher(sha256).matches()) {
                throw new InvalidField("upstream.sha256", "must be the upstream image's sha256 (64 lowercase hex characters), but was '" + sha256 + "'");
            }
            sshUsername = sshUsername == null ? DEFAULT_SSH_USERNAME : sshUsername;
        }
    }

    /** The Packer template and playbook in the repository, and how long a build may take. */
    public record Build(String template, String playbook, String timeout) {
        public Build {
            repositoryPath(template, "build.template");
            repositoryPath(playbook, "build.playbook");
            timeout = timeout == null ? "30m" : timeout;
            timeoutOf(timeout);
        }

        public Duration timeoutDuration() {
            return timeoutOf(timeout);
        }

        private static Duration timeoutOf(String text) {
            Matcher m = GO_DURATION.matcher(text);
            if (text.isEmpty() || !m.matches()) {
                throw new InvalidField("build.timeout", "must be a duration such as 45m, 1h or 1h30m, but was '" + text + "'");
            }
            Duration d = Duration.ofHours(parse(m.group(1))).plusMinutes(parse(m.group(2))).plusSeconds(parse(m.group(3)));
            if (d.isZero()) {
                throw new InvalidField("build.timeout", "must be longer than zero");
            }
            return d;
        }

        private static long parse(String digits) {
            return digits == null ? 0 : Long.parseLong(digits);
        }
    }

    /** Sealing rules this image may relax, each with the reason a reviewer will read in the report. */
    public record Verify(List<Relaxation> relax) {
        public Verify {
            relax = relax == null ? List.of() : List.copyOf(relax);
        }

        public java.util.Optional<String> reasonFor(String rule) {
            return relax.stream().filter(r -> r.rule().equals(rule)).map(Relaxation::reason).findFirst();
        }
    }

    public record Relaxation(String rule, String reason) {
        public Relaxation {
            Require.text(rule, "verify.relax.rule");
            Require.text(reason, "verify.relax.reason");
        }
    }

    /** Parses and validates a kiln.yaml; the exception names the key that is wrong. */
    public static KilnFile parse(String yaml) {
        if (yaml == null || yaml.isBlank()) {
            throw new InvalidKilnFile("kiln.yaml is empty");
        }
        try {
            KilnFile file = YAML.readValue(yaml, KilnFile.class);
            if (file == null) {
                throw new InvalidKilnFile("kiln.yaml is empty");
            }
            return file;
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidKilnFile("kiln.yaml: unknown key '" + pathOf(e, e.getPropertyName())
                    + "'; see docs/kiln-yaml.md for the keys kiln reads");
        } catch (JsonMappingException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof InvalidField invalid) {
                    String field = invalid.field().contains(".") || pathOf(e, "").isEmpty() ? invalid.field() : pathOf(e, invalid.field());
                    throw new InvalidKilnFile("kiln.yaml: '" + field + "' " + invalid.problem());
                }
            }
            if (e.getPath().isEmpty() && e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException) {
                throw new InvalidKilnFile("kiln.yaml must be a mapping of keys such as image:, upstream: and build: (see docs/kiln-yaml.md),"
                        + " not a list or a single value");
            }
            throw new InvalidKilnFile("kiln.yaml: '" + pathOf(e, "") + "' " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new InvalidKilnFile("kiln.yaml is not valid YAML: " + e.getOriginalMessage());
        }
    }

    private static String pathOf(JsonMappingException e, String last) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .filter(name -> !name.equals(last))
                .collect(Collectors.joining("."));
        return path.isEmpty() ? last : last.isEmpty() ? path : path + "." + last;
    }

    private static void repositoryPath(String value, String field) {
        Require.text(value, field);
        if (!REPO_PATH.matcher(value).matches() || value.startsWith("/") || List.of(value.split("/")).contains("..")) {
            throw new InvalidField(field, "must be a relative path inside the repository without '..', but was '" + value + "'");
        }
    }

    /** A kiln.yaml that cannot be built from, with a message that says which key to fix. */
    public static final class InvalidKilnFile extends IllegalArgumentException {
        public InvalidKilnFile(String message) {
            super(message);
        }
    }
}
