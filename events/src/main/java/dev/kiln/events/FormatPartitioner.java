package dev.kiln.events;

import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Puts the formats of one release on neighbouring partitions instead of where their keys' hashes fall: the release's
 * key picks the first, and each format is that many partitions on as it is far down the catalogue. A release's
 * verdicts come in bursts (every format waiting for the one boot of their disk is judged at its end), and a consumer
 * applies a partition's records one after another, so formats sharing a partition by chance wait for each other
 * (./kiln bench: three of a release's six on one of three partitions). Spread, six formats take two of three
 * partitions' turns each, or a partition each of six. One key always lands on one partition (for a given partition
 * count), so each format's events keep their order, as with Kafka's own partitioner, which every other key is left to.
 */
public final class FormatPartitioner implements org.apache.kafka.clients.producer.Partitioner {

    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        return partitionOf(keyBytes, cluster.partitionCountForTopic(topic));
    }

    /** The partition of a record with this key on a topic of {@code partitions} partitions. */
    public static int partitionOf(byte[] keyBytes, int partitions) {
        if (keyBytes == null) {
            // kiln keys every event; a record without one may go anywhere.
            return java.util.concurrent.ThreadLocalRandom.current().nextInt(partitions);
        }
        String key = new String(keyBytes, StandardCharsets.UTF_8);
        int slash = key.lastIndexOf('/');
        Optional<DiskFormat> format = slash <= 0 ? Optional.empty() : DiskFormat.find(key.substring(slash + 1));
        if (format.isEmpty() || key.indexOf('/') == slash) {
            return hashed(keyBytes, partitions);
        }
        int first = hashed(key.substring(0, slash).getBytes(StandardCharsets.UTF_8), partitions);
        return (first + format.get().ordinal()) % partitions;
    }

    /** Kafka's own choice for a keyed record (its built-in partitioner's murmur2). */
    private static int hashed(byte[] keyBytes, int partitions) {
        return Utils.toPositive(Utils.murmur2(keyBytes)) % partitions;
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
