package dev.kiln.registry;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the registry has already put on a topic, read back by CloudEvent id: how the relay tells an outbox entry
 * that reached the broker before the registry died (and must not be sent again) from one that did not.
 * Blocking; read with the registry's own account, without a consumer group.
 */
@ApplicationScoped
class SentEvents {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final Map<String, Object> kafka;

    SentEvents(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.kafka = Map.copyOf(config);
    }

    /** Of {@code ids}, those on {@code topic} in a record written at {@code since} or later. */
    Set<String> present(String topic, Set<String> ids, Instant since) {
        Set<String> found = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(
                    partitions.stream().collect(Collectors.toMap(Function.identity(), p -> since.toEpochMilli())), TIMEOUT);
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp start = from.get(partition);
                consumer.seek(partition, start == null ? end.get(partition) : start.offset());
            }
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, TIMEOUT) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading back " + topic + " took longer than " + TIMEOUT.toSeconds() + " s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    Header id = record.headers().lastHeader("ce_id");
                    if (id != null && ids.contains(new String(id.value(), StandardCharsets.UTF_8))) {
                        found.add(new String(id.value(), StandardCharsets.UTF_8));
                    }
                });
            }
        }
        return found;
    }
}
