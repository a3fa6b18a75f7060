package dev.kiln.registry;

import dev.kiln.events.Artifact;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventRecords;
import dev.kiln.events.EventType;
import dev.kiln.events.Finding;
import dev.kiln.events.ImageBuilt;
import dev.kiln.events.ImagePublished;
import dev.kiln.events.ImageRejected;
import dev.kiln.events.ImageVerified;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Provenance;
import dev.kiln.events.Release;
import dev.kiln.events.ReleaseTagged;
import dev.kiln.events.VerificationSummary;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.stack.TopicRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** The events other services would send the registry, and what it published. */
final class RegistryEvents {
    static final String COMMIT = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

    private RegistryEvents() {
    }

    static Release release(String image, String version) {
        return new Release(image, version, "release-" + version, "https://git.example.org/images.git", COMMIT);
    }

    static ReleaseTagged tagged(Release release) {
        return new ReleaseTagged(release, null, "Rel Easer <rel@example.org>", 1_764_000_000L);
    }

    static ImageBuilt built(Release release, String format, char digest) {
        Artifact artifact = new Artifact(format, "file:///var/tmp/kiln/state/artifacts/sha256/" + String.valueOf(digest).repeat(64),
                String.valueOf(digest).repeat(64), 123_456_789L, 2L << 30, "d".repeat(64));
        Provenance provenance = new Provenance(release.commit(), release.tag(), "https://cloud.example.org/debian.qcow2", "e".repeat(64),
                Map.of("packer", "1.6.6", "ansible", "2.14.18", "qemu-img", "7.2.15"), 1_764_000_000L);
        return new ImageBuilt(release, artifact, provenance, "file:///var/tmp/kiln/state/artifacts/build.log");
    }

    static ImageVerified verified(Release release, String format, char digest) {
        return new ImageVerified(release, format, String.valueOf(digest).repeat(64), new VerificationSummary(
                "http://verifier/api/v1/reports/" + release.image() + "/" + release.version() + "/" + format,
                List.of("ssh-hostkeys", "machine-id", "boot"), List.of(), 31_000));
    }

    static ImageRejected rejected(Release release, String format, char digest) {
        return new ImageRejected(release, format, String.valueOf(digest).repeat(64), "http://verifier/api/v1/reports/x",
                List.of(new Finding("ssh-hostkeys", "/etc/ssh/ssh_host_rsa_key", "SSH host key shipped in the image")));
    }

    static BuildFailed failed(Release release, String format) {
        return new BuildFailed(release, format, "packer", "packer build failed (exit 1): fatal: [default]: FAILED!", List.of("fatal"), null);
    }

    static void send(KilnEvent... events) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            for (KilnEvent event : events) {
                producer.send(EventRecords.of(event, URI.create("/kiln/registry-test"), Clock.systemUTC())).get();
            }
        }
    }

    static void sendRaw(EventType type, String key, String payload) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(type.topic(), key, payload)).get();
        }
    }

    static List<ImagePublished> published(Release release) {
        return TopicRecords.readAll(KafkaBroker.shared().adminClientConfig(), EventType.IMAGE_PUBLISHED.topic()).stream()
                .map(r -> EventCodec.decode(ImagePublished.class, r.value()))
                .filter(e -> e.release().image().equals(release.image()) && e.release().version().equals(release.version()))
                .toList();
    }

    /** Every event of {@code type} about {@code image} on its topic. */
    static <T extends KilnEvent> List<T> of(Class<T> type, String image) {
        return TopicRecords.readAll(KafkaBroker.shared().adminClientConfig(), EventType.ofPayload(type).topic()).stream()
                .map(r -> EventCodec.decode(type, r.value())).filter(e -> e.release().image().equals(image)).toList();
    }

    static List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> deadLetters() {
        return TopicRecords.readAll(KafkaBroker.shared().adminClientConfig(), EventType.DEAD_LETTER_TOPIC);
    }

    /**
     * The formats of those events whose keys the producer's own partitioner puts on different partitions of the type's
     * topic, one per partition, in the events' order.
     */
    static List<String> onDifferentPartitions(EventType type, List<? extends dev.kiln.events.PerFormatEvent> events) {
        try (KafkaProducer<String, String> producer = producer()) {
            int partitions = producer.partitionsFor(type.topic()).size();
            java.util.Set<Integer> taken = new java.util.HashSet<>();
            List<String> formats = new java.util.ArrayList<>();
            for (dev.kiln.events.PerFormatEvent event : events) {
                int partition = org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(
                        event.key().getBytes(java.nio.charset.StandardCharsets.UTF_8), partitions);
                if (taken.add(partition)) {
                    formats.add(event.format());
                }
            }
            if (formats.size() < 2) {
                throw new IllegalStateException("every event's key lands on one partition of " + type.topic() + " (" + partitions + " partitions)");
            }
            return formats;
        }
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(KafkaBroker.shared().adminClientConfig(), new StringSerializer(), new StringSerializer());
    }
}
