package dev.kiln.events;

import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** A consumer as the services write them: decode by CloudEvent type, nack (dead-letter) what does not decode. */
// A singleton, not application-scoped: the test reads its fields, which a client proxy would hide.
@Singleton
public class EventInbox {
    record Received(KilnEvent event, IncomingCloudEventMetadata<?> cloudEvent, String kafkaKey, int partition) {
    }

    final List<Received> all = new CopyOnWriteArrayList<>();
    final List<ReleaseTagged> strict = new CopyOnWriteArrayList<>();

    @Incoming("all-events")
    public CompletionStage<Void> onAnyEvent(Message<String> message) {
        IncomingCloudEventMetadata<?> ce = message.getMetadata(IncomingCloudEventMetadata.class).orElseThrow();
        EventType type = EventType.ofType(ce.getType()).orElseThrow();
        IncomingKafkaRecordMetadata<?, ?> record = message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        all.add(new Received(EventCodec.decode(type.payload(), message.getPayload()), ce, String.valueOf(record.getKey()), record.getPartition()));
        return message.ack();
    }

    @Incoming("strict")
    public void onReleaseTagged(String json) {
        strict.add(EventCodec.decode(ReleaseTagged.class, json));
    }
}
