package dev.kiln.verifier;

import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.ServiceAccount;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.common.PartitionInfo;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Pays at the verifier's start what its first verdict would otherwise pay inside the hop to the registry: the JSON
 * codecs of the events it reads and writes, and its producer's metadata for the verdict topics (a send to a topic the
 * producer has not yet asked the broker about waits for that round trip first; ./kiln bench measured the first
 * release's verdicts 27-40 ms in transit against 5-7 ms for every later one). In the background and not needed: a
 * failure is logged and the first verdict pays as before.
 */
@ApplicationScoped
class WarmStart {
    private static final Logger LOG = Logger.getLogger(WarmStart.class);

    void onStart(@Observes StartupEvent start, KafkaClientService kafka) {
        EventCodec.prepare(ServiceAccount.SEALER_VERIFIER);
        List<Uni<List<PartitionInfo>>> metadata = ServiceAccount.SEALER_VERIFIER.produces().stream().map(EventType::topic)
                .map(topic -> kafka.getProducer("verification-results").partitionsFor(topic)).toList();
        Uni.join().all(metadata).andFailFast().subscribe().with(
                ignored -> LOG.debugf("warm start: the producer knows the partitions of %s", ServiceAccount.SEALER_VERIFIER.produces()),
                failure -> LOG.infof("warm start: the producer's metadata not ready ahead of the first verdict (%s); the first verdict pays for it",
                        failure.getMessage()));
    }
}
