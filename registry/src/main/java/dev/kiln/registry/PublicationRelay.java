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

import dev.kiln.events.Capped;
import dev.kiln.events.MalformedEventException;

import java.net.URI;
import java.time.Duration;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Sends what the ledger wrote to the outbox, oldest first, and only then marks it sent and the format published.
 * Rows are locked while they are sent, so two registry instances never send the same one; a crash after the
 * ledger's commit loses nothing, since the row waits here until it is sent. An entry whose send fails is tried
 * again after a wait that doubles (1 s up to 5 min) while the entries after it go on; after
 * {@code kiln.registry.outbox-max-attempts} failures, or at once when it can never be sent (it does not decode),
 * it is parked for an operator to look at ({@code GET /api/v1/outbox?parked=true}).
 */
@ApplicationScoped
public class PublicationRelay {
    private static final Logger LOG = Logger.getLogger(PublicationRelay.class);
    private static final int BATCH = 50;

    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private final MutinyEmitter<String> published;
    private final URI source;
    private final int maxAttempts;

    PublicationRelay(@Channel("image-published") MutinyEmitter<String> published,
                     @ConfigProperty(name = "kiln.registry.event-source", defaultValue = "/kiln/registry") String source,
                     @ConfigProperty(name = "kiln.registry.outbox-max-attempts", defaultValue = "20") int maxAttempts) {
        this.published = published;
        this.source = URI.create(source);
        this.maxAttempts = maxAttempts;
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
        return Panache.withTransaction(() -> OutboxEntry.<OutboxEntry>find(
                        "sentAt is null and parkedAt is null and (nextAttemptAt is null or nextAttemptAt <= ?1) order by id", OffsetDateTime.now())
                .withLock(LockModeType.PESSIMISTIC_WRITE).page(0, BATCH).list()
                .chain(entries -> Multi.createFrom().iterable(entries)
                        .onItem().transformToUniAndConcatenate(entry -> Uni.createFrom().deferred(() -> send(entry))
                                .onFailure().recoverWithItem(failure -> failed(entry, failure)))
                        .collect().asList().map(sent -> (int) sent.stream().filter(e -> e.sentAt != null).count())));
    }

    /** Records a failed send: tried again later, or parked when it has failed too often or can never be sent. */
    private OutboxEntry failed(OutboxEntry entry, Throwable failure) {
        entry.attempts++;
        entry.lastError = Capped.text(String.valueOf(failure.getMessage()), Capped.TEXT);
        boolean hopeless = failure instanceof MalformedEventException || failure instanceof Unsendable;
        if (hopeless || entry.attempts >= maxAttempts) {
            entry.parkedAt = OffsetDateTime.now();
            LOG.errorf("outbox entry %d (%s %s) parked after %d failed send(s): %s; the entries after it go on. "
                    + "Fix the cause, then POST /api/v1/outbox/%d/retry", entry.id, entry.eventType, entry.eventKey, entry.attempts,
                    entry.lastError, entry.id);
        } else {
            long seconds = Math.min(MAX_BACKOFF.toSeconds(), 1L << Math.min(entry.attempts - 1, 20));
            entry.nextAttemptAt = OffsetDateTime.now().plusSeconds(seconds);
            LOG.warnf("outbox entry %d (%s %s) not sent (%d/%d): %s; trying again in %d s", entry.id, entry.eventType, entry.eventKey,
                    entry.attempts, maxAttempts, entry.lastError, seconds);
        }
        return entry;
    }

    private Uni<OutboxEntry> send(OutboxEntry entry) {
        EventType type = EventType.ofType(entry.eventType).orElseThrow(() -> new Unsendable("outbox entry " + entry.id
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

    /** An entry no retry can send (its event type is not in the catalogue). */
    static final class Unsendable extends RuntimeException {
        Unsendable(String message) {
            super(message);
        }
    }
}
