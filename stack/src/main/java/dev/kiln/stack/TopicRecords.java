package dev.kiln.stack;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Every committed record of a topic, read from the beginning as a plain subscriber would see it (for tests and the demo). */
public final class TopicRecords {
    private TopicRecords() {
    }

    /** Every committed record of {@code topic}, read as the client {@code client} configures (address, credentials). */
    public static List<ConsumerRecord<String, String>> readAll(Map<String, Object> client, String topic) {
        Map<String, Object> config = new java.util.HashMap<>(client);
        config.put("isolation.level", "read_committed");
        config.put("enable.auto.commit", false);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
