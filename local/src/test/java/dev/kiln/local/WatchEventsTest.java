package dev.kiln.local;

import dev.kiln.events.Artifact;
import dev.kiln.events.EventRecords;
import dev.kiln.events.ImageBuilt;
import dev.kiln.events.Provenance;
import dev.kiln.events.Release;
import dev.kiln.events.ServiceAccount;
import dev.kiln.stack.KafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** ./kiln watch on a real broker, signed in as the subscribers' account: a builder's event shows as one row. */
class WatchEventsTest {
    @Test
    void anEventPublishedWhileWatchingIsOneRow() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Thread watch = PipelineProgress.followEveryRelease(ServiceAccounts.provision(broker, ServiceAccount.OBSERVER), true,
                new PrintStream(captured, true, StandardCharsets.UTF_8));
        String version = "9." + System.nanoTime() % 1000 + ".0";
        Release release = new Release("debian-watch", version, "release-" + version, "https://git.example.org/images.git",
                "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
        ImageBuilt built = built(release, "vmdk");
        // The test plays the builder: the broker's administrator writes the event.
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(broker.adminClientConfig(), new StringSerializer(), new StringSerializer())) {
            producer.send(EventRecords.of(built, URI.create("/kiln/watch-test"), Clock.systemUTC())).get(30, TimeUnit.SECONDS);
        }
        long until = System.currentTimeMillis() + 60_000;
        while (!captured.toString(StandardCharsets.UTF_8).contains(version) && System.currentTimeMillis() < until) {
            Thread.sleep(200);
        }
        watch.interrupt();
        String table = captured.toString(StandardCharsets.UTF_8);
        assertTrue(table.startsWith(PipelineProgress.HEADER), table);
        assertTrue(table.matches("(?s).*debian-watch\\s+" + version.replace(".", "\\.") + "\\s+vmdk\\s+builder: built, 3 MiB, sha256 cccccccccccccccc\\.\\.\\. -> verify.*"),
                table);
    }

    /** What the broker already keeps comes in time order across topics, not topic by topic. */
    @Test
    void fromTheStartTheKeptEventsComeInTimeOrder() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        String version = "8." + System.nanoTime() % 1000 + ".0";
        Release release = new Release("debian-order", version, "release-" + version, "https://git.example.org/images.git",
                "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
        ImageBuilt built = built(release, "raw");
        // ImageBuilt's topic comes after ReleaseTagged's in the catalogue: sent first, it must still be printed first.
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(broker.adminClientConfig(), new StringSerializer(), new StringSerializer())) {
            producer.send(EventRecords.of(built, URI.create("/kiln/watch-test"), Clock.systemUTC())).get(30, TimeUnit.SECONDS);
            Thread.sleep(20);
            producer.send(EventRecords.of(new dev.kiln.events.ReleaseTagged(release, null, "Rel Easer <rel@example.org>", 1_764_000_000L),
                    URI.create("/kiln/watch-test"), Clock.systemUTC())).get(30, TimeUnit.SECONDS);
        }
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Thread watch = PipelineProgress.followEveryRelease(ServiceAccounts.provision(broker, ServiceAccount.OBSERVER), true,
                new PrintStream(captured, true, StandardCharsets.UTF_8));
        long until = System.currentTimeMillis() + 60_000;
        while (captured.toString(StandardCharsets.UTF_8).split("debian-order\\s+" + version.replace(".", "\\."), -1).length < 3
                && System.currentTimeMillis() < until) {
            Thread.sleep(200);
        }
        watch.interrupt();
        String table = captured.toString(StandardCharsets.UTF_8);
        int builtAt = table.indexOf("builder: built", table.indexOf("debian-order"));
        int taggedAt = table.indexOf("tag-watcher: release-" + version);
        assertTrue(builtAt > 0 && taggedAt > 0 && builtAt < taggedAt, table);
    }

    /** A 3 MiB build of {@code format}, as the builder would announce it. */
    private static ImageBuilt built(Release release, String format) {
        return new ImageBuilt(release, new Artifact(format, "file:///store/sha256/" + "c".repeat(64), "c".repeat(64),
                3L << 20, 2L << 30, "d".repeat(64)), new Provenance(release.commit(), release.tag(), "https://cloud.example.org/debian.qcow2",
                "e".repeat(64), Map.of("packer", "1.6.6"), 1_764_000_000L), "file:///store/build.log");
    }
}
