package dev.kiln.local;

import dev.kiln.events.EventType;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.stack.TopicRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kiln dead-letters on a real broker: a dead letter is listed with where it came from and why, and replayed unchanged. */
class DeadLettersTest {
    private final KafkaBroker broker = KafkaBroker.shared();

    @Test
    void listsADeadLetterAndReplaysItToWhereItCameFrom() throws Exception {
        String key = "dl-" + UUID.randomUUID() + "/raw";
        ProducerRecord<String, String> dead = new ProducerRecord<>(EventType.DEAD_LETTER_TOPIC, key, "{\"release\":{}}");
        dead.headers().add("ce_type", EventType.IMAGE_BUILT.type().getBytes(StandardCharsets.UTF_8));
        dead.headers().add("dead-letter-topic", EventType.IMAGE_BUILT.topic().getBytes(StandardCharsets.UTF_8));
        dead.headers().add("dead-letter-reason", "field 'commit' is missing".getBytes(StandardCharsets.UTF_8));
        RecordMetadata where;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(broker.adminClientConfig(), new StringSerializer(), new StringSerializer())) {
            where = producer.send(dead).get(30, TimeUnit.SECONDS);
        }
        String id = where.partition() + ":" + where.offset();

        ByteArrayOutputStream listed = new ByteArrayOutputStream();
        DeadLetters letters = new DeadLetters(broker.adminClientConfig(), new PrintStream(listed, true, StandardCharsets.UTF_8));
        assertEquals(0, letters.run(List.of("list")));
        String line = listed.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(key)).findFirst().orElseThrow();
        assertTrue(line.startsWith(id + " "), line);
        assertTrue(line.contains(EventType.IMAGE_BUILT.topic()) && line.contains("field 'commit' is missing"), line);

        assertEquals(0, letters.run(List.of("replay", id)));
        ConsumerRecord<String, String> back = TopicRecords.readAll(broker.adminClientConfig(), EventType.IMAGE_BUILT.topic()).stream()
                .filter(r -> key.equals(r.key())).findFirst().orElseThrow();
        assertEquals("{\"release\":{}}", back.value());
        assertEquals(EventType.IMAGE_BUILT.type(), new String(back.headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8));
        assertNull(back.headers().lastHeader("dead-letter-reason"), "the bookkeeping stays behind");
    }

    @Test
    void anUnknownOrMalformedIdIsRefused() throws Exception {
        DeadLetters letters = new DeadLetters(broker.adminClientConfig(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(1, letters.run(List.of("replay", "0:999999999")));
        assertEquals(2, letters.run(List.of("replay", "zero")));
        assertEquals(2, letters.run(List.of()));
    }
}
