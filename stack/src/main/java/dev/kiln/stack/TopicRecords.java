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
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(client, "read_committed");
             KafkaConsumer<String, String> written = consumer(client, "read_uncommitted")) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = committedEnd(consumer, written.endOffsets(partitions), partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /**
     * Where the committed records end. A transaction committed just before this call may not have its marker on the
     * partition yet (the coordinator writes the markers after it answers the commit), so the committed end is waited
     * for, briefly, until it reaches what was written when the read began; a transaction still open after that wait is
     * left out, as a plain subscriber would leave it.
     */
    private static Map<TopicPartition, Long> committedEnd(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> written,
                                                          List<TopicPartition> partitions) {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        Map<TopicPartition, Long> end = new java.util.HashMap<>(consumer.endOffsets(partitions));
        while (partitions.stream().anyMatch(p -> end.get(p) < written.get(p)) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            end.putAll(consumer.endOffsets(partitions));
        }
        return end;
    }

    private static KafkaConsumer<String, String> consumer(Map<String, Object> client, String isolation) {
        Map<String, Object> config = new java.util.HashMap<>(client);
        config.put("isolation.level", isolation);
        config.put("enable.auto.commit", false);
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }
}
