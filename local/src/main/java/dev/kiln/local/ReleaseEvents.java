package dev.kiln.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.events.EventType;
import dev.kiln.stack.KafkaCredentials;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every event of one image on every kiln topic, as a subscriber sees them, gathered in the background from the
 * beginning of each topic: what the fault drill reads to know where a release is and whether anything came twice.
 */
final class ReleaseEvents implements AutoCloseable {
    /**
     * One event of the image: its type, version, format (empty for release-wide events), a line about it, when its
     * sender stamped the record and when it reached this subscriber.
     */
    record Seen(EventType type, String version, String format, String detail, Instant sent, Instant at) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<String, String> consumer;
    private final Thread reader;
    private volatile boolean closing;
    /** Why the reader stopped, if it did before close(): every question after that fails with it. */
    private volatile RuntimeException stopped;

    ReleaseEvents(KafkaCredentials observer, String image) {
        consumer = PipelineProgress.subscriber(observer, "drill-", true);
        reader = new Thread(() -> read(image), "kiln-drill-events");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(String image) {
        try {
            while (!closing) {
                var records = consumer.poll(Duration.ofSeconds(1));
                // When they reached this subscriber: reading them (the first parse is this JVM's first JSON) is not their transit.
                Instant arrived = Instant.now();
                for (ConsumerRecord<String, String> record : records) {
                    EventType type = EventType.ofTopic(record.topic()).orElse(null);
                    JsonNode event = PipelineProgress.parse(record.value());
                    JsonNode release = event.path("release");
                    if (type != null && image.equals(release.path("image").asText())) {
                        String format = PipelineProgress.formatOf(event);
                        String detail = event.path("reason").asText(event.path("findings").toString());
                        seen.add(new Seen(type, release.path("version").asText(), format, detail, Instant.ofEpochMilli(record.timestamp()), arrived));
                    }
                }
            }
        } catch (WakeupException stopping) {
            // close() woke the poll
        } catch (RuntimeException e) {
            stopped = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    List<Seen> of(String version) {
        if (stopped != null) {
            throw new IllegalStateException("the drill stopped reading kiln's topics: " + stopped.getMessage(), stopped);
        }
        return seen.stream().filter(e -> e.version().equals(version)).toList();
    }

    /** When this version's first event of the type came, if it has. */
    Optional<Instant> first(EventType type, String version) {
        return of(version).stream().filter(e -> e.type() == type).map(Seen::at).findFirst();
    }

    long count(EventType type, String version, String format) {
        return of(version).stream().filter(e -> e.type() == type && e.format().equals(format)).count();
    }

    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        try {
            reader.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
