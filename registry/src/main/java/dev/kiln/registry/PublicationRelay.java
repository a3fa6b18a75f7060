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
 * The relay claims a batch in one short transaction ({@code claimedUntil}), so two registry instances never send the
 * same entry; a crash after the ledger's commit loses nothing, since the entry waits here until it is sent. An entry
 * whose send began before ({@code sendStartedAt}) but was never marked sent may be on the topic already (the registry
 * died between the broker's ack and its own commit): it is looked for there by its CloudEvent id and only sent when
 * it is not, so a crash does not publish an image twice. An entry whose send fails is tried again after a wait that
 * doubles (1 s up to 5 min) while the entries after it go on; after {@code kiln.registry.outbox-max-attempts}
 * failures, or at once when it can never be sent (it does not decode), it is parked for an operator to look at
 * ({@code GET /api/v1/outbox?parked=true}).
 */
@ApplicationScoped
public class PublicationRelay {
    private static final Logger LOG = Logger.getLogger(PublicationRelay.class);
    private static final int BATCH = 50;
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    /**
     * Longer than any send may take (the channel's producer gives up after its 30 s delivery timeout), short enough
     * that a restarted registry soon takes back what it claimed before it died.
     */
    private static final Duration CLAIM = Duration.ofSeconds(60);
    /** Read back from this long before the first send began: the broker's and the database's clocks may differ. */
    private static final Duration CLOCK_SLACK = Duration.ofMinutes(5);

    private final MutinyEmitter<String> published;
    private final SentEvents sentEvents;
    private final ReleaseChanges changes;
    private final io.vertx.mutiny.core.Vertx vertx;
    private final URI source;
    private final int maxAttempts;
    private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean again = new java.util.concurrent.atomic.AtomicBoolean();
    /** Entries claimed by the transactions that wrote them, committed, not yet handed to the producer. */
    private final java.util.Queue<Claim> claimedAsWritten = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Where a transaction keeps the entries it claimed as written (its Vert.x context's locals). */
    private static final String WRITTEN = "kiln.outbox.claimed-as-written";
    /** Set by the first scheduled run: before it, the Kafka channel may not be connected. */
    private volatile boolean ready;

    PublicationRelay(@Channel("image-published") MutinyEmitter<String> published, SentEvents sentEvents, ReleaseChanges changes,
                     io.vertx.mutiny.core.Vertx vertx,
                     @ConfigProperty(name = "kiln.registry.event-source", defaultValue = "/kiln/registry") String source,
                     @ConfigProperty(name = "kiln.registry.outbox-max-attempts", defaultValue = "20") int maxAttempts) {
        this.published = published;
        this.sentEvents = sentEvents;
        this.changes = changes;
        this.vertx = vertx;
        this.source = URI.create(source);
        this.maxAttempts = maxAttempts;
    }

    // Not while the application is starting or stopping: a run before SmallRye has connected the channel failed to
    // make its emitter (an ERROR once in a ./kiln up whose start took over the 3 s delay), and one during shutdown
    // finds the database pool closed. The schedule is the safety net (a crash, a failed send); an entry written by
    // this registry is sent at once, by nudge().
    @Scheduled(every = "${kiln.registry.outbox-interval:1s}", delayed = "${kiln.registry.outbox-delay:3s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> relay() {
        // One hand-over at a time, scheduled or nudged: two runs claiming and sending together could send two entries of
        // one key out of their order. The gate opens once this run's sends are in the producer, which keeps their order
        // on the topic: the broker's acks and their recording are waited for outside it, so an entry committed meanwhile
        // (the second format of a disk, judged a moment after the first) goes out at once, not after the first's ack.
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().deferred(this::handOverPending)
                .eventually(this::openGate)
                .chain(this::settle)
                .onFailure().invoke(e -> LOG.warnf("outbox relay will retry: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private void openGate() {
        running.set(false);
        if (again.getAndSet(false)) {
            nudge();
        }
    }

    /**
     * An outbox entry was just committed: relay it now rather than at the next tick (a hop of the pipeline would
     * otherwise wait up to the interval). Runs on a context of its own, as the scheduled run does: a new one even when
     * nudged from a consumer's transaction or from a run still recording its sends, since a context carries its
     * Hibernate Reactive session and two runs sharing one would interleave their statements in it.
     */
    void nudge() {
        if (!ready) {
            return;
        }
        contextOfItsOwn(vertx).runOnContext(ignored -> relay().subscribe().with(done -> { }, failure -> LOG.warnf("outbox relay will retry: %s", failure.getMessage())));
    }

    /** A new Vert.x context for one unit of database work: ours alone, so safe for Hibernate Reactive (which refuses a context not marked so). */
    static io.vertx.core.Context contextOfItsOwn(io.vertx.mutiny.core.Vertx vertx) {
        io.vertx.core.Context context = io.smallrye.common.vertx.VertxContext.createNewDuplicatedContext(vertx.getDelegate().getOrCreateContext());
        io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle.setContextSafe(context, true);
        return context;
    }

    /**
     * The entries due, claimed, each sent (or found on its topic) in order: what became of each send is still to come.
     * Entries this process claimed as it wrote them go first, with no claim of their own; the others are claimed here.
     */
    private Uni<List<HandedOver>> handOverPending() {
        ready = true;
        List<Claim> written = new java.util.ArrayList<>();
        for (Claim claim; (claim = claimedAsWritten.poll()) != null; ) {
            written.add(claim);
        }
        Uni<List<Claim>> claims = written.isEmpty() ? claim() : Uni.createFrom().item(written);
        return claims.chain(due -> Multi.createFrom().iterable(due)
                .onItem().transformToUniAndConcatenate(this::handOver)
                .collect().asList());
    }

    /** Waits for each send handed over and records it, in order; the number marked sent. */
    private Uni<Integer> settle(List<HandedOver> handedOver) {
        return Multi.createFrom().iterable(handedOver)
                .onItem().transformToUniAndConcatenate(this::record)
                .collect().asList()
                .map(outcomes -> (int) outcomes.stream().filter(Boolean::booleanValue).count());
    }

    /** A claimed entry whose event is with the producer (or was found on its topic): {@code sent} completes on the ack. */
    private record HandedOver(Claim claim, java.util.concurrent.CompletableFuture<KilnEvent> sent) {
    }

    /** An entry this relay may send until {@code claimedUntil}; {@code inDoubtSince} when a send of it began before. */
    private record Claim(long id, String eventType, String payload, OffsetDateTime inDoubtSince) {
    }

    /**
     * What one transaction claimed as it wrote it ({@link #claimAsWritten}), to be sent once it commits
     * ({@link #sendWritten}). Opened by the caller that runs the transaction, in its Vert.x context.
     */
    static final class Written {
        private final List<OutboxEntry> entries = new java.util.ArrayList<>();
        /** Its transaction failed: what it claimed was rolled back, and a retry on this context claims nothing here. */
        private volatile boolean failed;

        void failed() {
            failed = true;
        }
    }

    /**
     * Opens what the transaction about to run on this context claims as written; a fresh one for each attempt, so what
     * a failed attempt claimed (rolled back with it) is never sent.
     */
    Written openWritten() {
        Written written = new Written();
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        if (context != null) {
            context.putLocal(WRITTEN, written);
        }
        return written;
    }

    /**
     * Claims an outbox entry in the transaction that writes it, for this process to send once that transaction
     * commits: the hop from a verdict to its publication then needs no transaction of its own to claim the entry. The
     * claim is written with the entry, so no other relay takes it; should this process die before the send, the claim
     * runs out and the entry, in doubt, is looked for on its topic and sent only if absent. Where no caller opened a
     * {@link Written} on this context, the entry is left unclaimed, for the relay to claim as any other.
     */
    void claimAsWritten(OutboxEntry entry) {
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        Written written = context == null ? null : context.getLocal(WRITTEN);
        if (written == null || written.failed) {
            return;
        }
        OffsetDateTime now = OffsetDateTime.now();
        entry.sendStartedAt = now;
        entry.claimedUntil = now.plus(CLAIM);
        written.entries.add(entry);
    }

    /** The transaction committed: what it claimed as written is sent now, in the order written, and the relay nudged. */
    void sendWritten(Written written) {
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        if (context != null && context.getLocal(WRITTEN) == written) {
            context.removeLocal(WRITTEN);
        }
        // This process knows no send of them began: not in doubt.
        written.entries.forEach(entry -> claimedAsWritten.add(new Claim(entry.id, entry.eventType, entry.payload, null)));
        nudge();
    }

    /** The entries due, claimed in one short transaction (the row locks end with it). */
    private Uni<List<Claim>> claim() {
        OffsetDateTime now = OffsetDateTime.now();
        return Panache.withTransaction(() -> OutboxEntry.<OutboxEntry>find("sentAt is null and parkedAt is null"
                                + " and (nextAttemptAt is null or nextAttemptAt <= ?1) and (claimedUntil is null or claimedUntil < ?1) order by id", now)
                .withLock(LockModeType.PESSIMISTIC_WRITE).page(0, BATCH).list()
                .map(entries -> entries.stream().map(entry -> {
                    Claim claim = new Claim(entry.id, entry.eventType, entry.payload, entry.sendStartedAt);
                    entry.sendStartedAt = entry.sendStartedAt == null ? now : entry.sendStartedAt;
                    entry.claimedUntil = now.plus(CLAIM);
                    return claim;
                }).toList()));
    }

    /**
     * Sends one claimed entry, or finds it on its topic already: the send is subscribed to here, so the producer has it
     * before the next entry's. The claim carries what to send, so the send comes before the transaction that records it
     * ({@link #record}); a crash between the two leaves the entry in doubt, looked for on its topic before any second send.
     */
    private Uni<HandedOver> handOver(Claim claim) {
        return onTopicAlready(claim)
                .map(onTopic -> new HandedOver(claim, Uni.createFrom().deferred(() -> send(claim, onTopic)).subscribeAsCompletionStage()))
                .onFailure().recoverWithItem(failure -> new HandedOver(claim, java.util.concurrent.CompletableFuture.failedFuture(failure)));
    }

    /** Once its send is acknowledged, marks the entry sent: true when it is; a failed send is recorded for a later try. */
    private Uni<Boolean> record(HandedOver handedOver) {
        Claim claim = handedOver.claim();
        return Uni.createFrom().completionStage(handedOver.sent())
                .chain(event -> Panache.withTransaction(() -> OutboxEntry.<OutboxEntry>findById(claim.id())
                        .chain(entry -> recordSent(entry, event))).replaceWith(event))
                // Committed: live views may fetch the release now.
                .invoke(event -> {
                    if (event instanceof ImagePublished published) {
                        LOG.infof("published %s %s %s", published.release().image(), published.release().version(), published.format());
                    }
                    changes.announce(event.release().image(), event.release().version());
                })
                .replaceWith(true)
                .onFailure().recoverWithUni(failure -> Panache.withTransaction(() -> OutboxEntry.<OutboxEntry>findById(claim.id())
                        .map(entry -> failed(entry, failure).sentAt != null)));
    }

    /** Whether an entry in doubt is on its topic (read back off the event loop); false for any other. */
    private Uni<Boolean> onTopicAlready(Claim claim) {
        if (claim.inDoubtSince() == null) {
            return Uni.createFrom().item(false);
        }
        java.util.Optional<EventType> type = EventType.ofType(claim.eventType());
        if (type.isEmpty()) {
            return Uni.createFrom().item(false);
        }
        String id;
        try {
            id = EventMessages.idOf(EventCodec.decode(type.get().payload(), claim.payload()));
        } catch (MalformedEventException e) {
            return Uni.createFrom().item(false);
        }
        return vertx.executeBlocking(Uni.createFrom().item(() -> sentEvents.present(type.get().topic(), java.util.Set.of(id),
                claim.inDoubtSince().toInstant().minus(CLOCK_SLACK)).contains(id)));
    }

    /** Records a failed send: tried again later, or parked when it has failed too often or can never be sent. */
    private OutboxEntry failed(OutboxEntry entry, Throwable failure) {
        entry.attempts++;
        entry.claimedUntil = null;
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

    /** Sends the claimed entry's event, unless it is on its topic already; the event. */
    private Uni<KilnEvent> send(Claim claim, boolean onTopicAlready) {
        EventType type = EventType.ofType(claim.eventType()).orElseThrow(() -> new Unsendable("outbox entry " + claim.id()
                + " has an unknown event type " + claim.eventType()));
        KilnEvent payload = EventCodec.decode(type.payload(), claim.payload());
        Uni<Void> sent = onTopicAlready ? Uni.createFrom().voidItem()
                .invoke(() -> LOG.infof("outbox entry %d (%s %s) is on the topic already (sent before a crash): not sent again",
                        claim.id(), claim.eventType(), payload.key()))
                : published.sendMessage(EventMessages.of(payload, source, Clock.systemUTC()));
        return sent.replaceWith(payload);
    }

    /**
     * The relay's work on an entry but the send, for the warm start's rehearsal: the event decoded and its message
     * built, then the entry recorded as sent in the caller's transaction (which the rehearsal rolls back). The first
     * real send would otherwise pay for them, the recording's query parsed (150 ms of an event loop, ./kiln bench).
     * Nothing is logged or announced: that happens only once a real recording commits.
     */
    Uni<Void> rehearse(OutboxEntry entry) {
        EventType type = EventType.ofType(entry.eventType).orElseThrow(() -> new Unsendable("outbox entry " + entry.id
                + " has an unknown event type " + entry.eventType));
        KilnEvent event = EventCodec.decode(type.payload(), entry.payload);
        EventMessages.of(event, source, Clock.systemUTC());
        return recordSent(entry, event);
    }

    /** Marks the entry sent and, for a publication, its format published. */
    private Uni<Void> recordSent(OutboxEntry entry, KilnEvent sent) {
        Uni<?> recorded = Uni.createFrom().voidItem();
        if (sent instanceof ImagePublished event) {
            recorded = FormatRecord.update("state = ?1, publishedAt = ?2, rowVersion = rowVersion + 1 where releaseId in (select r.id from ReleaseRecord r "
                                + "where r.image = ?3 and r.version = ?4) and format = ?5", FormatRecord.State.PUBLISHED, OffsetDateTime.now(),
                        event.release().image(), event.release().version(), event.format());
        }
        // Other events (RebuildRequested) only need sending; the topic comes from the catalogue.
        return recorded.invoke(() -> {
            entry.sentAt = OffsetDateTime.now();
            entry.claimedUntil = null;
        }).replaceWithVoid();
    }

    /** An entry no retry can send (its event type is not in the catalogue). */
    static final class Unsendable extends RuntimeException {
        Unsendable(String message) {
            super(message);
        }
    }
}
