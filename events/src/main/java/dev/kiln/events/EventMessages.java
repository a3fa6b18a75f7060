package dev.kiln.events;

import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;

/**
 * Wraps an event as the Kafka record every kiln service sends: a CloudEvent 1.0 (binary mode) whose key and
 * subject are the event's key, so all events of one release, or one format of it, stay on one partition in order.
 */
public final class EventMessages {
    private EventMessages() {
    }

    /**
     * @param source the sending service, e.g. {@code /kiln/builder}
     */
    public static Message<String> of(KilnEvent event, URI source, Clock clock) {
        EventType type = EventType.of(event);
        String json = EventCodec.encode(event);
        return Message.of(json)
                // The topic comes from the catalogue, whatever the channel says: one topic per event type, always.
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withTopic(type.topic()).withKey(event.key()).build())
                .addMetadata(OutgoingCloudEventMetadata.<String>builder()
                        .withId(idOf(type, json))
                        .withType(type.type())
                        .withSource(source)
                        .withSubject(event.key())
                        .withDataContentType("application/json")
                        .withTimestamp(ZonedDateTime.now(clock))
                        .build());
    }

    /**
     * Sends an event through a channel's emitter; the future completes when the broker has acknowledged it, so a
     * consumer can acknowledge its own input only after its output is safe.
     */
    public static CompletableFuture<Void> send(Emitter<String> emitter, KilnEvent event, URI source, Clock clock) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        emitter.send(of(event, source, clock)
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    acked.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                }));
        return acked;
    }

    /**
     * Sends every event and waits until the broker has each ({@link TransientRetry}: the broker being away is waited
     * for). A retry sends again only the events not yet acknowledged, so a slow first send does not double the rest.
     */
    public static void sendEach(String what, Emitter<String> emitter, List<? extends KilnEvent> events, URI source, Clock clock)
            throws InterruptedException {
        List<KilnEvent> unsent = new ArrayList<>(events);
        TransientRetry.untilDone(what, () -> {
            List<CompletableFuture<Void>> sends = unsent.stream().map(event -> send(emitter, event, source, clock)).toList();
            List<KilnEvent> failed = new ArrayList<>();
            Exception firstFailure = null;
            for (int i = 0; i < sends.size(); i++) {
                try {
                    sends.get(i).join();
                } catch (CompletionException e) {
                    failed.add(unsent.get(i));
                    firstFailure = firstFailure == null ? e : firstFailure;
                }
            }
            unsent.retainAll(failed);
            if (firstFailure != null) {
                throw firstFailure;
            }
        });
    }

    /**
     * The same event content always gets the same id, so a consumer can drop a re-sent duplicate by id
     * (CloudEvents: source + id identify an event).
     */
    public static String idOf(KilnEvent event) {
        return idOf(EventType.of(event), EventCodec.encode(event));
    }

    static String idOf(EventType type, String json) {
        return UUID.nameUUIDFromBytes((type.type() + "\n" + json).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
