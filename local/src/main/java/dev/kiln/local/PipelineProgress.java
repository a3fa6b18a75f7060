package dev.kiln.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.events.EventType;
import dev.kiln.events.ServiceAccount;
import dev.kiln.stack.KafkaCredentials;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Follows one release through the pipeline as a subscriber of every kiln topic would, printing each stage per
 * format, until every format has ended (published, failed or rejected).
 */
public final class PipelineProgress {
    /** Every kiln topic a subscriber follows a release on: the event catalogue's. */
    public static final List<String> TOPICS = Arrays.stream(EventType.values()).map(EventType::topic).toList();
    private static final ObjectMapper JSON = new ObjectMapper();

    private PipelineProgress() {
    }

    /** Prints progress; returns each format's end: published, failed or rejected. */
    public static Map<String, String> follow(KafkaCredentials observer, String image, String version, List<String> formats, Duration timeout,
                                             PrintStream out) {
        Map<String, String> ended = new LinkedHashMap<>();
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<String, String> consumer = subscriber(observer, "progress-", true)) {
            while (ended.size() < formats.size()) {
                if (Instant.now().isAfter(deadline)) {
                    out.printf("  ... still waiting after %s for %s%n", timeout, formats.stream().filter(f -> !ended.containsKey(f)).toList());
                    break;
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                    JsonNode event = parse(record.value());
                    JsonNode release = event.path("release");
                    if (!image.equals(release.path("image").asText()) || !version.equals(release.path("version").asText())) {
                        continue;
                    }
                    String format = formatOf(event);
                    String line = describe(record.topic(), event, format, ended);
                    if (line != null) {
                        out.printf("  %-16s %s%n", format.isEmpty() ? "release" : format, line);
                    }
                }
            }
        }
        return ended;
    }

    private static final String ROW = "  %-8s  %-20s %-10s %-7s %s";
    /** Always with seconds (LocalTime's own text drops ":00"). */
    private static final java.time.format.DateTimeFormatter TIME = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss");

    /**
     * Prints a deployment's rollout events, one row each, until one that a rollout ends with (completed or failed) and
     * that was sent at or after {@code since}; returns that event's row, or empty after {@code timeout}.
     */
    public static java.util.Optional<String> followRollout(KafkaCredentials observer, String deployment, Instant since, Duration timeout,
                                                          PrintStream out) {
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<String, String> consumer = subscriber(observer, "rollout-", true)) {
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                    Instant at = Instant.ofEpochMilli(record.timestamp());
                    JsonNode event = parse(record.value());
                    if (at.isBefore(since) || !deployment.equals(event.path("deployment").asText())) {
                        continue;
                    }
                    java.util.Optional<String> row = row(record.topic(), record.value(), at);
                    row.ifPresent(out::println);
                    if (record.topic().equals(EventType.DEPLOYMENT_COMPLETED.topic()) || record.topic().equals(EventType.DEPLOYMENT_FAILED.topic())) {
                        return row;
                    }
                }
            }
        }
        return java.util.Optional.empty();
    }
    /** The table {@link #followEveryRelease} prints: its header, then one row per event. */
    static final String HEADER = String.format(ROW, "TIME", "IMAGE", "VERSION", "FORMAT", "WHAT");

    /**
     * A subscriber to every kiln topic as the observer account, in a throw-away group of its own (named from
     * {@code purpose}), reading committed records only, from the first one kept or from now on.
     */
    static KafkaConsumer<String, String> subscriber(KafkaCredentials observer, String purpose, boolean fromStart) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(subscriberConfig(observer, purpose, fromStart),
                new StringDeserializer(), new StringDeserializer());
        awaitReadable(consumer);
        consumer.subscribe(TOPICS);
        return consumer;
    }

    static Map<String, Object> subscriberConfig(KafkaCredentials observer, String purpose, boolean fromStart) {
        Map<String, Object> config = new HashMap<>(observer.clientConfig());
        config.putAll(Map.of("group.id", ServiceAccount.OBSERVER.consumerGroupPrefix().orElseThrow() + purpose + UUID.randomUUID(),
                "auto.offset.reset", fromStart ? "earliest" : "latest", "enable.auto.commit", false, "isolation.level", "read_committed",
                // As the services' consumers (events' META-INF/microprofile-config.properties, KILN_KAFKA_FETCH_WAIT_MS).
                "fetch.max.wait.ms", ConfigProvider.getConfig().getValue("kafka.fetch.max.wait.ms", Integer.class)));
        return config;
    }

    /**
     * Waits until the broker lets this account read every topic: ACLs provisioned a moment ago take a moment to reach
     * the broker's authorizer, and a subscriber's first poll would otherwise fail (and end it) in that moment.
     */
    private static void awaitReadable(KafkaConsumer<String, String> consumer) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                for (String topic : TOPICS) {
                    consumer.partitionsFor(topic);
                }
                return;
            } catch (org.apache.kafka.common.errors.TopicAuthorizationException e) {
                if (System.nanoTime() > deadline) {
                    consumer.close();
                    throw new IllegalStateException("the broker does not let " + ServiceAccount.OBSERVER.user() + " read " + e.unauthorizedTopics()
                            + " (is its account provisioned? ./kiln up and compose's broker-accounts do it)", e);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    consumer.close();
                    throw new org.apache.kafka.common.errors.InterruptException(interrupted);
                }
            }
        }
    }

    /** A record's value as JSON; an empty object for what is not JSON (the dead-letter topic's business, not a subscriber's). */
    static JsonNode parse(String value) {
        try {
            return JSON.readTree(value == null ? "{}" : value);
        } catch (java.io.IOException notAnEvent) {
            return JSON.createObjectNode();
        }
    }

    /** The format an event is about: its own field, or its artifact's; empty for release-wide events. */
    static String formatOf(JsonNode event) {
        return event.path("format").asText(event.path("artifact").path("format").asText(""));
    }

    /**
     * From now on, every event of every release (tags pushed while {@code ./kiln up} runs), one row each, in the
     * background until the JVM ends.
     */
    public static Thread followEveryRelease(KafkaCredentials observer, PrintStream out) {
        return followEveryRelease(observer, false, out);
    }

    /** The same, from the first event kept on the broker when {@code fromStart}. */
    public static Thread followEveryRelease(KafkaCredentials observer, boolean fromStart, PrintStream out) {
        Thread follower = new Thread(() -> {
            out.println(HEADER);
            java.util.function.Consumer<ConsumerRecord<String, String>> print =
                    record -> row(record.topic(), record.value(), Instant.ofEpochMilli(record.timestamp())).ifPresent(out::println);
            try (KafkaConsumer<String, String> consumer = subscriber(observer, "table-", fromStart)) {
                if (fromStart) {
                    // Each topic is read in its own order: what is already kept is gathered and printed by time.
                    backlog(consumer).forEach(print);
                }
                while (!Thread.currentThread().isInterrupted()) {
                    consumer.poll(Duration.ofSeconds(1)).forEach(print);
                }
            } catch (org.apache.kafka.common.errors.InterruptException stopping) {
                // the pipeline is stopping
            }
        }, "kiln-progress-table");
        follower.setDaemon(true);
        follower.start();
        return follower;
    }

    /** Every record kept on the subscribed topics when this is called, oldest first across topics. */
    static java.util.List<ConsumerRecord<String, String>> backlog(KafkaConsumer<String, String> consumer) {
        java.util.List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue()) && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        records.sort(java.util.Comparator.comparingLong(ConsumerRecord::timestamp));
        return records;
    }

    /** One event as a row of the table; nothing for a record that is not a kiln event. */
    static java.util.Optional<String> row(String topic, String value, Instant at) {
        JsonNode event = parse(value);
        JsonNode release = event.path("release");
        if (!release.isObject()) {
            return java.util.Optional.empty();
        }
        String format = formatOf(event);
        String what = describe(topic, event, format, new HashMap<>());
        return what == null ? java.util.Optional.empty() : java.util.Optional.of(String.format(ROW,
                TIME.format(java.time.LocalTime.ofInstant(at, java.time.ZoneId.systemDefault())), release.path("image").asText(),
                release.path("version").asText(), format.isEmpty() ? "-" : format, what));
    }

    private static String describe(String topic, JsonNode event, String format, Map<String, String> ended) {
        EventType type = EventType.ofTopic(topic).orElse(null);
        if (type == null) {
            return null;
        }
        // Exhaustive: a new event type in the catalogue does not compile until it is described here.
        return switch (type) {
            case RELEASE_TAGGED -> "tag-watcher: " + event.path("release").path("tag").asText() + " at "
                    + prefix(event.path("release").path("commit").asText(), 12) + " -> build";
            case RELEASE_TAG_VIOLATION -> "tag-watcher: VIOLATION, tag " + event.path("kind").asText();
            case IMAGE_BUILT -> "builder: built, " + event.path("artifact").path("size").asLong() / (1 << 20)
                    + " MiB, sha256 " + prefix(event.path("artifact").path("sha256").asText(), 16) + "... -> verify";
            case BUILD_FAILED -> {
                ended.put(format, "failed");
                yield "builder: FAILED at " + event.path("stage").asText() + ": " + event.path("reason").asText();
            }
            case IMAGE_VERIFIED -> "sealer-verifier: sealing held, booted in "
                    + event.path("verification").path("bootMillis").asLong() / 1000 + " s -> publish";
            case IMAGE_REJECTED -> {
                ended.put(format, "rejected");
                yield "sealer-verifier: REJECTED: " + event.path("findings");
            }
            case IMAGE_PUBLISHED -> {
                ended.put(format, "published");
                yield "registry: published " + event.path("artifact").path("location").asText();
            }
            case REBUILD_REQUESTED -> "registry: rebuild " + event.path("rebuildId").asText() + " requested -> builder";
            case IMAGE_REBUILT -> "builder: rebuild " + event.path("rebuildId").asText() + ": " + event.path("verdict").asText();
            case CHANNEL_MOVED -> "registry: channel " + event.path("channel").asText() + " -> this version"
                    + (event.path("previousVersion").isTextual() ? " (was " + event.path("previousVersion").asText() + ")" : "");
            case VERSION_REVOKED -> "registry: REVOKED: " + event.path("reason").asText();
            case DEPLOYMENT_STARTED -> "deploy: " + event.path("deployment").asText() + ": rolling out (" + event.path("trigger").asText()
                    + (event.path("previousVersion").isTextual() ? ", replacing " + event.path("previousVersion").asText() : ", first launch")
                    + "), " + event.path("instances").asInt() + " instance(s)";
            case INSTANCE_LAUNCHED -> "deploy: " + event.path("deployment").asText() + ": " + event.path("instance").asText()
                    + " healthy after " + event.path("healthyMillis").asLong() / 1000 + " s on " + event.path("target").asText();
            case INSTANCE_RETIRED -> "deploy: " + event.path("deployment").asText() + ": retired " + event.path("instance").asText()
                    + ": " + event.path("reason").asText();
            case DEPLOYMENT_COMPLETED -> "deploy: " + event.path("deployment").asText() + ": runs this version on " + event.path("instances")
                    + " (rollout " + event.path("durationMillis").asLong() / 1000 + " s)";
            case DEPLOYMENT_FAILED -> "deploy: " + event.path("deployment").asText() + ": ROLLOUT FAILED: " + event.path("reason").asText()
                    + (event.path("rolledBackTo").isTextual() ? "; the fleet keeps " + event.path("rolledBackTo").asText() : "");
        };
    }

    private static String prefix(String text, int length) {
        return text.length() > length ? text.substring(0, length) : text;
    }

    static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
