package dev.kiln.builder;

import dev.kiln.events.ImageRebuilt;
import dev.kiln.events.RebuildRequested;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventRecords;
import dev.kiln.events.EventType;
import dev.kiln.events.ImageBuilt;
import dev.kiln.events.ReleaseTagged;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.stack.TopicRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** Sends ReleaseTagged as the tag-watcher would, and reads what the builder emitted for a release. */
final class BuildResults {
    private BuildResults() {
    }

    private static final String BUILDERS = dev.kiln.events.ServiceAccount.BUILDER.consumerGroup().orElseThrow();

    /** Where the record went: its partition and offset. */
    static org.apache.kafka.clients.producer.RecordMetadata send(ReleaseTagged tagged) throws Exception {
        return send(EventType.RELEASE_TAGGED.topic(), tagged.key(), EventCodec.encode(tagged), tagged);
    }

    static void sendRaw(String key, String payload) throws Exception {
        send(EventType.RELEASE_TAGGED.topic(), key, payload, null);
    }

    private static org.apache.kafka.clients.producer.RecordMetadata send(String topic, String key, String payload, ReleaseTagged tagged) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(admin(),
                new StringSerializer(), new StringSerializer())) {
            if (tagged != null) {
                return producer.send(EventRecords.of(tagged, URI.create("/kiln/builder-test"), Clock.systemUTC())).get();
            }
            return producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, key, payload)).get();
        }
    }

    /**
     * A member that joins the builders' consumer group as the builder's own second consumer does when it starts (on
     * the RebuildRequested topic, with Kafka's default assignors), once the group has given it its partitions.
     */
    static org.apache.kafka.clients.consumer.KafkaConsumer<String, String> joinBuilderGroup() {
        Map<String, Object> config = new java.util.HashMap<>(admin());
        config.put("group.id", BUILDERS);
        config.put("enable.auto.commit", "false");
        var member = new org.apache.kafka.clients.consumer.KafkaConsumer<>(config,
                new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.StringDeserializer());
        member.subscribe(List.of(EventType.REBUILD_REQUESTED.topic()));
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(1).toNanos();
        while (member.assignment().isEmpty()) {
            if (System.nanoTime() > deadline) {
                member.close();
                throw new AssertionError("the joining member got no partition of " + EventType.REBUILD_REQUESTED.topic() + " within a minute");
            }
            member.poll(java.time.Duration.ofMillis(200));
        }
        return member;
    }

    /** How many members the builders' group has now (the builder's own consumers, before a test adds one). */
    static int builderMembers() throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(admin())) {
            return admin.describeConsumerGroups(List.of(BUILDERS)).describedGroups().get(BUILDERS).get().members().size();
        }
    }

    /**
     * Waits until the builders' group is stable with that many members: a rebalance that a member's leave started is
     * over, so a commit the builder makes next is not refused as "rebalance in progress".
     */
    static void awaitBuildersStable(int members, java.time.Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(admin())) {
            while (true) {
                var group = admin.describeConsumerGroups(List.of(BUILDERS)).describedGroups().get(BUILDERS).get();
                if (group.groupState() == org.apache.kafka.common.GroupState.STABLE && group.members().size() == members) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the builders' group is " + group.groupState() + " with " + group.members().size()
                            + " members, not stable with " + members + ", after " + within.toSeconds() + " s");
                }
                Thread.sleep(200);
            }
        }
    }

    /** The builders' group's committed offset on that record's partition (-1 when none). */
    static long committedByBuilders(org.apache.kafka.clients.producer.RecordMetadata record) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(admin())) {
            var partition = new org.apache.kafka.common.TopicPartition(record.topic(), record.partition());
            var committed = admin.listConsumerGroupOffsets(BUILDERS).partitionsToOffsetAndMetadata().get().get(partition);
            return committed == null ? -1 : committed.offset();
        }
    }

    /** Asks for a rebuild as the registry would (kiln rebuild). */
    static void send(RebuildRequested request) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(admin(),
                new StringSerializer(), new StringSerializer())) {
            producer.send(EventRecords.of(request, URI.create("/kiln/builder-test"), Clock.systemUTC())).get();
        }
    }

    static List<ImageRebuilt> rebuilt(String rebuildId) {
        return TopicRecords.readAll(admin(), EventType.IMAGE_REBUILT.topic()).stream()
                .map(r -> EventCodec.decode(ImageRebuilt.class, r.value()))
                .filter(e -> e.rebuildId().equals(rebuildId)).toList();
    }

    static List<ImageBuilt> built(ReleaseTagged tagged) {
        return TopicRecords.readAll(admin(), EventType.IMAGE_BUILT.topic()).stream()
                .map(r -> EventCodec.decode(ImageBuilt.class, r.value()))
                .filter(e -> e.release().equals(tagged.release())).toList();
    }

    static List<BuildFailed> failed(ReleaseTagged tagged) {
        return TopicRecords.readAll(admin(), EventType.BUILD_FAILED.topic()).stream()
                .map(r -> EventCodec.decode(BuildFailed.class, r.value()))
                .filter(e -> e.release().equals(tagged.release())).toList();
    }

    /** The test plays the other services (a tag-watcher, a registry): the broker's administrator. */
    /** Why the dead-letter topic holds the record with this key, once it does. */
    static java.util.Optional<String> deadLetterReason(String key) {
        return dev.kiln.stack.TopicRecords.readAll(admin(), dev.kiln.events.EventType.DEAD_LETTER_TOPIC).stream()
                .filter(r -> key.equals(r.key())).findFirst()
                .map(r -> r.headers().lastHeader("dead-letter-reason"))
                .map(h -> new String(h.value(), java.nio.charset.StandardCharsets.UTF_8));
    }

    private static Map<String, Object> admin() {
        return KafkaBroker.shared().adminClientConfig();
    }
}
