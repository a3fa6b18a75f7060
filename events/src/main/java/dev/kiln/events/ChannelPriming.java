package dev.kiln.events;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * As a service starts, each outgoing Kafka channel's producer fetches its topic's metadata, which also opens (and
 * signs in) the connection its sends will use. Without it, the first event of a freshly started service paid for both:
 * in ./kiln bench the registry's first publication was stamped 145 ms after its verdict was committed, most of it a
 * SCRAM sign-in on the producer's thread (JFR); with it, 8 to 56 ms. A broker that is not reachable yet costs nothing
 * here: the first send connects, as it would have.
 */
@ApplicationScoped
public class ChannelPriming {
    private static final Logger LOG = Logger.getLogger(ChannelPriming.class);

    // Runs after SmallRye Reactive Messaging has made the channels (it observes the start at a higher priority).
    void prime(@Observes StartupEvent started, Instance<KafkaClientService> clients, Config config) {
        if (!clients.isResolvable()) {
            return;
        }
        KafkaClientService kafka = clients.get();
        for (String channel : kafka.getProducerChannels()) {
            String topic = config.getOptionalValue("mp.messaging.outgoing." + channel + ".topic", String.class).orElse(channel);
            kafka.getProducer(channel).partitionsFor(topic).subscribe().with(
                    partitions -> LOG.debugf("channel %s primed: %d partitions of %s", channel, partitions.size(), topic),
                    failure -> LOG.infof("channel %s not primed (%s); its first event connects it", channel, failure.getMessage()));
        }
    }
}
