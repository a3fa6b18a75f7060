package dev.kiln.events;

import dev.kiln.stack.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A release's formats are spread over a topic's partitions, each format always on its own one. */
class FormatPartitionerTest {

    @Test
    void aReleasesSixFormatsTakeTwoOfThreePartitionsEachOrOneOfSix() {
        for (int minor = 0; minor < 50; minor++) {
            for (int partitions : new int[]{3, 6}) {
                Map<Integer, Integer> perPartition = new TreeMap<>();
                for (String format : DiskFormat.ids()) {
                    perPartition.merge(partitionOf("debian-chrony/0." + minor + ".1/" + format, partitions), 1, Integer::sum);
                }
                assertEquals(partitions, perPartition.size(), "0." + minor + ".1 over " + partitions + ": " + perPartition);
                for (int count : perPartition.values()) {
                    assertEquals(6 / partitions, count, "0." + minor + ".1: " + perPartition);
                }
            }
        }
    }

    @Test
    void otherKeysGoWhereKafkasOwnPartitionerPutsThem() {
        for (String key : List.of("debian-chrony/0.1.0", "debian-chrony/0.1.0/iso", "raw", "debian-chrony/raw", "/raw", "a/b/c/qcow2x")) {
            byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            assertEquals(org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(bytes, 3),
                    FormatPartitioner.partitionOf(bytes, 3), key);
        }
    }

    /**
     * Through a real broker: where the producer put each record, sent twice, its partitioner the one the services' shared
     * Kafka settings name (a SmallRye channel passes every {@code kafka.} setting to its client).
     */
    @Test
    void aProducerConfiguredWithItSpreadsARelease() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String topic = "kiln.test.format-partitioner." + UUID.randomUUID();
        try (Admin admin = Admin.create(broker.adminClientConfig())) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        Map<String, Object> config = new HashMap<>(broker.adminClientConfig());
        java.util.Properties shared = new java.util.Properties();
        try (var in = FormatPartitioner.class.getResourceAsStream("/META-INF/microprofile-config.properties")) {
            shared.load(in);
        }
        config.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, shared.getProperty("kafka." + ProducerConfig.PARTITIONER_CLASS_CONFIG));
        Map<String, Integer> partitionOf = new HashMap<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int round = 0; round < 2; round++) {
                for (String format : DiskFormat.ids()) {
                    String key = "debian-chrony/0.1.1/" + format;
                    int partition = producer.send(new ProducerRecord<>(topic, key, "{}")).get().partition();
                    Integer before = partitionOf.putIfAbsent(format, partition);
                    if (before != null) {
                        assertEquals(before, partition, format + ": one key, one partition");
                    }
                }
            }
        }
        Map<Integer, Integer> perPartition = new TreeMap<>();
        partitionOf.values().forEach(partition -> perPartition.merge(partition, 1, Integer::sum));
        assertEquals(Map.of(0, 2, 1, 2, 2, 2), perPartition, "0.1.1's six formats: " + partitionOf);
    }

    private static int partitionOf(String key, int partitions) {
        return FormatPartitioner.partitionOf(key.getBytes(StandardCharsets.UTF_8), partitions);
    }
}
