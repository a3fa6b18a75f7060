package dev.kiln.events;

import dev.kiln.stack.KafkaBroker;
import dev.kiln.stack.KafkaTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Events travel as CloudEvents 1.0 through the real broker, and a malformed one is dead-lettered. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class CloudEventsOnKafkaTest {

    @Inject
    EventOutbox outbox;
    @Inject
    EventInbox inbox;

    @Test
    void everyEventRoundTripsAsACloudEventKeyedByRelease() {
        List<KilnEvent> sent = SampleEvents.oneOfEach();
        sent.forEach(outbox::send);

        await().atMost(Duration.ofSeconds(60)).until(() -> inbox.all.size() >= sent.size());
        for (KilnEvent event : sent) {
            EventInbox.Received got = inbox.all.stream().filter(r -> r.event().equals(event)).findFirst()
                    .orElseThrow(() -> new AssertionError("not received: " + event));
            EventType type = EventType.of(event);
            assertEquals("1.0", got.cloudEvent().getSpecVersion());
            assertEquals(type.type(), got.cloudEvent().getType());
            assertEquals(EventOutbox.SOURCE, got.cloudEvent().getSource());
            assertEquals(event.key(), got.cloudEvent().getSubject().orElseThrow());
            assertTrue(got.cloudEvent().getTimeStamp().isPresent(), "time attribute");
            assertEquals(EventMessages.idOf(type, EventCodec.encode(event)), got.cloudEvent().getId());
            assertEquals(event.key(), got.kafkaKey());
        }
    }

    /** The shared Kafka settings reach a channel's producer: a release's six verdicts take two of the topic's three partitions each. */
    @Test
    void aChannelSpreadsAReleasesFormatsOverThePartitions() {
        Release release = new Release("debian-spread", "0.1.1", "release-0.1.1", SampleEvents.release().repository(), SampleEvents.COMMIT);
        List<ImageVerified> sent = DiskFormat.ids().stream()
                .map(format -> new ImageVerified(release, format, SampleEvents.SHA, SampleEvents.verification())).toList();
        sent.forEach(outbox::send);

        await().atMost(Duration.ofSeconds(60)).until(() -> inbox.all.stream().filter(r -> sent.contains(r.event())).count() == sent.size());
        Map<Integer, List<String>> formatsOn = new java.util.TreeMap<>();
        for (EventInbox.Received got : inbox.all) {
            if (got.event() instanceof ImageVerified verified && sent.contains(verified)) {
                formatsOn.computeIfAbsent(got.partition(), p -> new ArrayList<>()).add(verified.format());
                assertEquals(FormatPartitioner.partitionOf(verified.key().getBytes(StandardCharsets.UTF_8), 3), got.partition(), verified.key());
            }
        }
        assertEquals(3, formatsOn.size(), formatsOn.toString());
        formatsOn.values().forEach(formats -> assertEquals(2, formats.size(), formatsOn.toString()));
    }

    @Test
    void recordsFramedByEventRecordsAreTheSameCloudEventsToTheConnector() {
        KilnEvent event = new ReleaseTagViolation(SampleEvents.release(), ReleaseTagViolation.DELETED, null);
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(EventRecords.of(event, EventOutbox.SOURCE, java.time.Clock.systemUTC()));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> inbox.all.stream().anyMatch(r -> r.event().equals(event)));
        EventInbox.Received got = inbox.all.stream().filter(r -> r.event().equals(event)).findFirst().orElseThrow();
        assertEquals(EventType.RELEASE_TAG_VIOLATION.type(), got.cloudEvent().getType());
        assertEquals(event.key(), got.cloudEvent().getSubject().orElseThrow());
        assertTrue(got.cloudEvent().getTimeStamp().isPresent(), "time attribute");
        assertEquals(event.key(), got.kafkaKey());
    }

    @Test
    void aMalformedPayloadGoesToTheDeadLetterTopicAndTheConsumerKeepsGoing() {
        ReleaseTagged good = (ReleaseTagged) SampleEvents.oneOfEach().get(0);
        String malformed = EventCodec.encode(good).replace("\"commit\":\"" + SampleEvents.COMMIT + "\",", "");
        String marker = UUID.randomUUID().toString();
        try (KafkaProducer<String, String> producer = producer()) {
            ProducerRecord<String, String> bad = cloudEvent("events-test.strict", malformed, marker);
            producer.send(bad);
            producer.send(cloudEvent("events-test.strict", EventCodec.encode(good), UUID.randomUUID().toString()));
            producer.flush();
        }

        ConsumerRecord<String, String> dead = deadLetterWithId(marker);
        assertEquals(malformed, dead.value(), "the original payload is kept for inspection");
        String reason = header(dead, "dead-letter-reason");
        assertTrue(reason.contains("field 'release.commit' is missing"), reason);
        assertEquals("events-test.strict", header(dead, "dead-letter-topic"));

        await().atMost(Duration.ofSeconds(60)).until(() -> inbox.strict.contains(good));
    }

    private static ProducerRecord<String, String> cloudEvent(String topic, String json, String id) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, "debian-web/0.1.0", json);
        record.headers().add("ce_specversion", bytes("1.0"))
                .add("ce_type", bytes(EventType.RELEASE_TAGGED.type()))
                .add("ce_source", bytes("/test/hand-made"))
                .add("ce_id", bytes(id))
                .add("content-type", bytes("application/json"));
        return record;
    }

    private static Map<String, Object> withAdmin(Map<String, Object> config) {
        Map<String, Object> all = new java.util.HashMap<>(KafkaBroker.shared().adminClientConfig());
        all.putAll(config);
        return all;
    }

    private static ConsumerRecord<String, String> deadLetterWithId(String id) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(withAdmin(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + id,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(EventType.DEAD_LETTER_TOPIC));
            List<ConsumerRecord<String, String>> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(seen::add);
                return seen.stream().anyMatch(r -> id.equals(header(r, "ce_id")));
            });
            ConsumerRecord<String, String> record = seen.stream().filter(r -> id.equals(header(r, "ce_id"))).findFirst().orElseThrow();
            assertNotNull(record);
            return record;
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(KafkaBroker.shared().adminClientConfig(),
                new StringSerializer(), new StringSerializer());
    }
}
