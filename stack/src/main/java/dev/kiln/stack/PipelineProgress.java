package dev.kiln.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Follows one release through the pipeline as a subscriber of every kiln topic would, printing each stage per
 * format, until every format has ended (published, failed or rejected).
 */
public final class PipelineProgress {
    // The stack sits below events/ (events' tests use its broker), so the catalogue's topics are named here again;
    // ProgressTopicsTest in e2e holds them equal to EventType's.
    static final String TAGGED = "kiln.release.tagged.v1";
    static final String TAG_VIOLATION = "kiln.release.tag-violation.v1";
    static final String BUILT = "kiln.image.built.v1";
    static final String FAILED = "kiln.build.failed.v1";
    static final String VERIFIED = "kiln.image.verified.v1";
    static final String REJECTED = "kiln.image.rejected.v1";
    static final String PUBLISHED = "kiln.image.published.v1";
    static final String REBUILD_REQUESTED = "kiln.image.rebuild-requested.v1";
    static final String REBUILT = "kiln.image.rebuilt.v1";
    /** Every kiln topic a subscriber follows a release on. */
    public static final List<String> TOPICS = List.of(TAGGED, TAG_VIOLATION, BUILT, FAILED, VERIFIED, REJECTED, PUBLISHED,
            REBUILD_REQUESTED, REBUILT);
    private static final ObjectMapper JSON = new ObjectMapper();

    private PipelineProgress() {
    }

    /** Prints progress; returns each format's end: published, failed or rejected. */
    public static Map<String, String> follow(String bootstrap, String image, String version, List<String> formats, Duration timeout,
                                             PrintStream out) {
        Map<String, String> ended = new LinkedHashMap<>();
        Map<String, Object> config = Map.of("bootstrap.servers", bootstrap, "group.id", "kiln-progress-" + UUID.randomUUID(),
                "auto.offset.reset", "earliest", "enable.auto.commit", false, "isolation.level", "read_committed");
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(TOPICS);
            while (ended.size() < formats.size()) {
                if (Instant.now().isAfter(deadline)) {
                    out.printf("  ... still waiting after %s for %s%n", timeout, formats.stream().filter(f -> !ended.containsKey(f)).toList());
                    break;
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                    JsonNode event = JSON.readTree(record.value() == null ? "{}" : record.value());
                    JsonNode release = event.path("release");
                    if (!image.equals(release.path("image").asText()) || !version.equals(release.path("version").asText())) {
                        continue;
                    }
                    String format = event.path("format").asText(event.path("artifact").path("format").asText(""));
                    String line = describe(record.topic(), event, format, ended);
                    if (line != null) {
                        out.printf("  %-16s %s%n", format.isEmpty() ? "release" : format, line);
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ended;
    }

    private static String describe(String topic, JsonNode event, String format, Map<String, String> ended) {
        return switch (topic) {
            case TAGGED -> "tag-watcher: " + event.path("release").path("tag").asText() + " at "
                    + event.path("release").path("commit").asText().substring(0, 12) + " -> build";
            case TAG_VIOLATION -> "tag-watcher: VIOLATION, tag " + event.path("kind").asText();
            case BUILT -> "builder: built, " + event.path("artifact").path("size").asLong() / (1 << 20)
                    + " MiB, sha256 " + event.path("artifact").path("sha256").asText().substring(0, 16) + "... -> verify";
            case FAILED -> {
                ended.put(format, "failed");
                yield "builder: FAILED at " + event.path("stage").asText() + ": " + event.path("reason").asText();
            }
            case VERIFIED -> "sealer-verifier: sealing held, booted in "
                    + event.path("verification").path("bootMillis").asLong() / 1000 + " s -> publish";
            case REJECTED -> {
                ended.put(format, "rejected");
                yield "sealer-verifier: REJECTED: " + event.path("findings");
            }
            case PUBLISHED -> {
                ended.put(format, "published");
                yield "registry: published " + event.path("artifact").path("location").asText();
            }
            case REBUILD_REQUESTED -> "registry: rebuild " + event.path("rebuildId").asText() + " requested -> builder";
            case REBUILT -> "builder: rebuild " + event.path("rebuildId").asText() + ": " + event.path("verdict").asText();
            default -> null;
        };
    }

    static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
