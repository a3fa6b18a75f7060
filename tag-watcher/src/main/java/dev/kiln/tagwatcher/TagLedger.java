package dev.kiln.tagwatcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The durable memory of which tags were seen and what was done about them: a compacted Kafka topic, one record
 * per repository and tag. It is written in the same Kafka transaction as the events it accounts for, so an
 * event exists exactly when its ledger entry does.
 */
final class TagLedger {
    private static final Logger LOG = Logger.getLogger(TagLedger.class);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    static final String WATCHING_MARKER = "";

    private final String topic;
    private final Map<String, Object> kafka;

    TagLedger(String topic, Map<String, Object> kafka) {
        this.topic = topic;
        this.kafka = Map.copyOf(kafka);
    }

    String topic() {
        return topic;
    }

    /** Creates the compacted topic when it is missing; one partition keeps the whole ledger in order. */
    void ensureTopic() throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        try (Admin admin = Admin.create(kafka)) {
            NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(newTopic)).all().get(30, TimeUnit.SECONDS);
            LOG.infof("created the tag ledger topic %s (compacted)", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    /** The ledger as read once: every live entry, in the order it was first written. */
    record Snapshot(java.util.Collection<LedgerEntry> entries) {
        /** One repository's entries, by tag (the marker under the empty tag). */
        Map<String, LedgerEntry> forRepository(String repository) {
            Map<String, LedgerEntry> byTag = new HashMap<>();
            for (LedgerEntry entry : entries) {
                if (entry.repository().equals(repository)) {
                    byTag.put(entry.tag(), entry);
                }
            }
            return byTag;
        }

        /**
         * Which repository owns each image name: the one whose release of it is earliest in the ledger (a repository
         * that is refused never gets a released entry, so there is one owner unless two first releases raced).
         */
        Map<String, String> owners() {
            Map<String, String> owners = new HashMap<>();
            for (LedgerEntry entry : entries) {
                if (entry.image() != null && entry.status() != LedgerEntry.Status.REFUSED && entry.status() != LedgerEntry.Status.EXISTING) {
                    owners.putIfAbsent(entry.image(), entry.repository());
                }
            }
            return owners;
        }
    }

    /** Every committed entry, read once for a scan (the repository's own tags and who owns which image). */
    Snapshot snapshot() {
        return new Snapshot(readAll());
    }

    /** Every committed entry of one repository, by tag (the marker under the empty tag). */
    Map<String, LedgerEntry> read(String repository) {
        return snapshot().forRepository(repository);
    }

    /** Reads the ledger from where it left off (a new one, after a failure, from the beginning): a scan pays for what is new. */
    private KafkaConsumer<String, String> reader;
    private List<TopicPartition> partitions = List.of();
    private final Map<String, LedgerEntry> entries = new java.util.LinkedHashMap<>();

    /** The ledger's live entries, in the order they were first written. */
    private synchronized java.util.Collection<LedgerEntry> readAll() {
        try {
            if (reader == null) {
                Map<String, Object> config = new HashMap<>(kafka);
                config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
                config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
                reader = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
                partitions = reader.partitionsFor(topic, Duration.ofSeconds(30)).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
                reader.assign(partitions);
                reader.seekToBeginning(partitions);
                entries.clear();
            }
            Map<TopicPartition, Long> end = committedEnd();
            while (partitions.stream().anyMatch(p -> reader.position(p) < end.get(p))) {
                for (ConsumerRecord<String, String> record : reader.poll(Duration.ofMillis(500))) {
                    if (record.key() == null) {
                        continue;
                    }
                    if (record.value() == null) {
                        entries.remove(record.key());
                    } else {
                        entries.put(record.key(), decode(record.value()));
                    }
                }
            }
            return List.copyOf(entries.values());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The highest offset this process wrote, per partition, in a committed transaction: a read must reach past it. */
    private final Map<TopicPartition, Long> written = new HashMap<>();

    synchronized void wrote(org.apache.kafka.clients.producer.RecordMetadata record) {
        written.merge(new TopicPartition(record.topic(), record.partition()), record.offset(), Math::max);
    }

    /**
     * Where committed records end now, waited for until it is past everything this process committed: a transaction's
     * commit markers reach the partition a moment after the commit returns, and a read before them would not see it.
     */
    private Map<TopicPartition, Long> committedEnd() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Map<TopicPartition, Long> end = reader.endOffsets(partitions);
            boolean covered = written.entrySet().stream().allMatch(w -> end.getOrDefault(w.getKey(), 0L) > w.getValue());
            if (covered) {
                return end;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the tag ledger does not show this watcher's last commit after 30 s; the scan is retried");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the tag ledger", e);
            }
        }
    }

    synchronized void close() {
        if (reader != null) {
            reader.close(Duration.ofSeconds(5));
            reader = null;
        }
    }

    ProducerRecord<String, String> write(LedgerEntry entry) {
        try {
            return new ProducerRecord<>(topic, entry.key(), JSON.writeValueAsString(entry));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A tombstone: compaction forgets the tag. */
    ProducerRecord<String, String> forget(String repository, String tag) {
        return new ProducerRecord<>(topic, LedgerEntry.key(repository, tag), null);
    }

    private static LedgerEntry decode(String json) {
        try {
            return JSON.readValue(json, LedgerEntry.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the tag ledger holds an unreadable entry: " + e.getOriginalMessage(), e);
        }
    }
}
