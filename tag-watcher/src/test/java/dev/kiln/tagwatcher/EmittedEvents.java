package dev.kiln.tagwatcher;

import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Reads every committed event of one type from the real broker, as a plain subscriber would. */
final class EmittedEvents {
    private EmittedEvents() {
    }

    static <T extends KilnEvent> List<T> read(String bootstrap, Class<T> payload, Predicate<T> filter) {
        EventType type = EventType.ofPayload(payload);
        Map<String, Object> config = Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed",
                "enable.auto.commit", false);
        List<T> events = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(type.topic(), Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    T event = EventCodec.decode(payload, record.value());
                    if (filter.test(event)) {
                        events.add(event);
                    }
                }
            }
        }
        return events;
    }
}
