package dev.kiln.registry;

import dev.kiln.events.EventCodec;
import dev.kiln.events.EventMessages;
import dev.kiln.events.EventType;
import dev.kiln.events.ImagePublished;
import dev.kiln.events.KilnEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Sends what the ledger wrote to the outbox, oldest first, and only then marks it sent and the format published.
 * Rows are locked while they are sent, so two registry instances never send the same one; a crash after the
 * ledger's commit loses nothing, since the row waits here until it is sent.
 */
@ApplicationScoped
public class PublicationRelay {
    private static final Logger LOG = Logger.getLogger(PublicationRelay.class);
    private static final int BATCH = 50;

    private final MutinyEmitter<String> published;
    private final URI source;

    PublicationRelay(@Channel("image-published") MutinyEmitter<String> published,
                     @ConfigProperty(name = "kiln.registry.event-source", defaultValue = "/kiln/registry") String source) {
        this.published = published;
        this.source = URI.create(source);
    }

    // Delayed: the first run waits until the Kafka channel is connected.
    @Scheduled(every = "${kiln.registry.outbox-interval:1s}", delayed = "${kiln.registry.outbox-delay:3s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relay() {
        return Uni.createFrom().deferred(this::sendPending).onFailure().invoke(e -> LOG.warnf("outbox relay will retry: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Sends every unsent entry; the number sent. */
    public Uni<Integer> sendPending() {
        return Panache.withTransaction(() -> OutboxEntry.<OutboxEntry>find("sentAt is null order by id")
                .withLock(LockModeType.PESSIMISTIC_WRITE).page(0, BATCH).list()
                .chain(entries -> Multi.createFrom().iterable(entries).onItem().transformToUniAndConcatenate(this::send)
                        .collect().asList().map(List::size)));
    }

    private Uni<OutboxEntry> send(OutboxEntry entry) {
        EventType type = EventType.ofType(entry.eventType).orElseThrow(() -> new IllegalStateException("outbox entry " + entry.id
                + " has an unknown event type " + entry.eventType));
        KilnEvent payload = EventCodec.decode(type.payload(), entry.payload);
        if (!(payload instanceof ImagePublished event)) {
            // Other events (RebuildRequested) only need sending; the topic comes from the catalogue.
            return published.sendMessage(EventMessages.of(payload, source, Clock.systemUTC()))
                    .invoke(() -> entry.sentAt = OffsetDateTime.now()).replaceWith(entry);
        }
        return published.sendMessage(EventMessages.of(event, source, Clock.systemUTC()))
                .chain(() -> FormatRecord.update("state = ?1, publishedAt = ?2, rowVersion = rowVersion + 1 where releaseId in (select r.id from ReleaseRecord r "
                                + "where r.image = ?3 and r.version = ?4) and format = ?5", FormatRecord.State.PUBLISHED, OffsetDateTime.now(),
                        event.release().image(), event.release().version(), event.format()))
                .invoke(() -> {
                    entry.sentAt = OffsetDateTime.now();
                    LOG.infof("published %s %s %s", event.release().image(), event.release().version(), event.format());
                })
                .replaceWith(entry);
    }
}
