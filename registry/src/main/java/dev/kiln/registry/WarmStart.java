package dev.kiln.registry;

import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Provenance;
import dev.kiln.events.ServiceAccount;
import dev.kiln.events.VerificationSummary;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Pays at the registry's start what the first events of a release would otherwise pay inside their hop: the database
 * connections its side-by-side verdicts and its relay hold at once (the pool opens one only when a query finds none
 * idle, and keeps it), the JSON codecs of the events it reads and writes and of what it stores, and its producer's
 * metadata for the topics it publishes to. All of it in the background, none of it needed: a failure here is logged and
 * the first event pays as before.
 */
@ApplicationScoped
class WarmStart {
    private static final Logger LOG = Logger.getLogger(WarmStart.class);
    private final Pool database;
    private final KafkaClientService kafka;
    private final StoredJson json;
    private final int connections;

    WarmStart(Pool database, KafkaClientService kafka, StoredJson json,
              // A transaction per verdict consumer, and one for the relay's recording beside them.
              @ConfigProperty(name = "mp.messaging.incoming.image-verified.concurrency", defaultValue = "1") int verdictConsumers) {
        this.database = database;
        this.kafka = kafka;
        this.json = json;
        this.connections = verdictConsumers + 1;
    }

    void onStart(@Observes StartupEvent start) {
        List<Class<? extends KilnEvent>> payloads = new ArrayList<>();
        ServiceAccount.REGISTRY.consumes().forEach(type -> payloads.add(type.payload()));
        ServiceAccount.REGISTRY.produces().forEach(type -> payloads.add(type.payload()));
        EventCodec.prepare(payloads);
        json.prepare(List.of(VerificationSummary.class, Provenance.class));
        // Each query takes a connection no other holds, so the pool opens as many as are asked for at once.
        Uni.join().all(IntStream.range(0, connections).mapToObj(i -> database.query("select 1").execute()).toList())
                .andFailFast()
                .subscribe().with(opened -> LOG.debugf("%d database connections open", opened.size()),
                        failure -> LOG.infof("database connections not opened ahead of the first events: %s", failure.getMessage()));
        for (EventType type : ServiceAccount.REGISTRY.produces()) {
            kafka.getProducer("image-published").partitionsFor(type.topic())
                    .subscribe().with(partitions -> LOG.debugf("%s: %d partitions", type.topic(), partitions.size()),
                            failure -> LOG.infof("metadata of %s not fetched ahead of its first event: %s", type.topic(), failure.getMessage()));
        }
    }
}
