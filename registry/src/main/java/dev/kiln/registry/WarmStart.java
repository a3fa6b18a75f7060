package dev.kiln.registry;

import dev.kiln.events.Artifact;
import dev.kiln.events.EventCodec;
import dev.kiln.events.ImageBuilt;
import dev.kiln.events.ImageVerified;
import dev.kiln.events.Provenance;
import dev.kiln.events.Release;
import dev.kiln.events.ReleaseTagged;
import dev.kiln.events.ServiceAccount;
import dev.kiln.events.VerificationSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.vertx.core.Context;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Pays at the registry's start what the first events of a release would otherwise pay inside their hop: every database
 * connection its pool may hold (the pool opens one only when a query finds none idle, and keeps it), the JSON codecs of
 * the events it reads and writes, its producer's metadata for the topics it publishes to, and passes of the ledger's
 * code from a tag to a publication, and of the relay's recording it, each in a transaction that is rolled back, until
 * the JIT has compiled that code (a just-started JVM ran each transition's code 3-4 times slower the first time:
 * ./kiln bench, 120-163 ms against 25-36 ms; the slower of its first verdict pair still 28-76 ms after five passes,
 * 18 and 40 ms after 200). The first pass runs on every connection at once, since a connection prepares a statement
 * the first time it runs it: a round trip more per statement (in PostgreSQL's log under a release's load, 3-22 ms
 * from the parse to the bind, 33-41 ms of a first verdict's 78-82 ms on connections the rehearsal had not used). All
 * of it in the background, none of it needed: a failure here is logged and the first event pays as before.
 */
@ApplicationScoped
class WarmStart {
    private static final Logger LOG = Logger.getLogger(WarmStart.class);
    private final Pool database;
    private final KafkaClientService kafka;
    private final ReleaseLedger ledger;
    private final PublicationRelay relay;
    private final io.vertx.mutiny.core.Vertx vertx;
    private final MeterRegistry metrics;
    private final int connections;
    private final int rehearsals;
    /** The database sessions (backend process ids) the first pass ran on: one per connection when it worked. */
    private final Set<Integer> rehearsedOn = ConcurrentHashMap.newKeySet();
    /** How long the last pass took: once the JIT has compiled the ledger, a fraction of the first ones. */
    private final java.util.concurrent.atomic.AtomicLong lastPassMillis = new java.util.concurrent.atomic.AtomicLong();

    WarmStart(Pool database, KafkaClientService kafka, StoredJson json, PublicationRelay relay, io.vertx.mutiny.core.Vertx vertx,
              MeterRegistry metrics,
              @ConfigProperty(name = "quarkus.datasource.reactive.max-size") int connections,
              @ConfigProperty(name = "kiln.registry.warm-start-rehearsals") int rehearsals) {
        this.database = database;
        this.kafka = kafka;
        // Meters of its own: the rehearsal publishes nothing, so it must not count as publishing.
        this.ledger = new ReleaseLedger(json, new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), relay);
        this.relay = relay;
        this.vertx = vertx;
        this.metrics = metrics;
        this.connections = connections;
        this.rehearsals = rehearsals;
        metrics.gauge("kiln.registry.warm-start.connections", rehearsedOn, Set::size);
    }

    void onStart(@Observes StartupEvent start) {
        long began = System.nanoTime();
        // The ledger's stored JSON (provenance, verification) is written and read by the rehearsals below.
        EventCodec.prepare(ServiceAccount.REGISTRY);
        done("codecs", began);
        // Each query takes a connection no other holds, so the pool opens as many as are asked for at once.
        background("connections", () -> Uni.join().all(IntStream.range(0, connections)
                .mapToObj(i -> database.query("select 1").execute()).toList()).andFailFast());
        background("metadata", () -> Uni.join().all(ServiceAccount.REGISTRY.produces().stream()
                .map(type -> kafka.getProducer("image-published").partitionsFor(type.topic())).toList()).andFailFast());
        if (rehearsals > 0) {
            background("ledger", () -> firstPassOnEveryConnection().chain(this::furtherPasses)
                    .invoke(() -> LOG.infof("warm start: the ledger rehearsed %d times in %d ms (the last pass %d ms)",
                            connections + rehearsals - 1, (System.nanoTime() - began) / 1_000_000, lastPassMillis.get())));
        }
    }

    /**
     * One pass per connection, side by side, each on a context of its own (its Hibernate Reactive session is the
     * context's). Each holds its connection until all have theirs: that is what puts them on as many connections, the
     * pool's every one, whichever event loop a verdict's consumer later asks from.
     */
    private Uni<Void> firstPassOnEveryConnection() {
        CompletableFuture<Void> allHoldOne = new CompletableFuture<>();
        AtomicInteger holding = new AtomicInteger();
        return Uni.join().all(IntStream.range(0, connections).mapToObj(lane -> onContextOfItsOwn(context -> timedPass(lane,
                // Midway through the lane's transaction, so on its session and connection.
                Uni.createFrom().deferred(Panache::getSession)
                        .chain(session -> session.createNativeQuery("select pg_backend_pid()", Integer.class).getSingleResult())
                        .invoke(rehearsedOn::add)
                        .chain(() -> {
                            if (holding.incrementAndGet() == connections) {
                                allHoldOne.complete(null);
                            }
                            // Back on this lane's own context: its session may be used from no other.
                            return Uni.createFrom().completionStage(allHoldOne).emitOn(work -> context.runOnContext(ignored -> work.run()));
                        })
                        // A pool smaller than asked for would hold the lanes forever: they give up and roll back.
                        .ifNoItem().after(Duration.ofSeconds(30)).failWith(() -> new IllegalStateException(
                                "only " + holding.get() + " of " + connections + " connections held at once"))
                        .replaceWithVoid()))).toList()).andFailFast()
                .invoke(() -> LOG.debugf("first rehearsal on %d connections", rehearsedOn.size()))
                .replaceWithVoid();
    }

    /** The other passes one after another on one context (they share its session), each timed. */
    private Uni<Void> furtherPasses() {
        // Enough of them that the JIT compiles the ledger's code before a verdict needs it (application.properties): the
        // first few dozen take as long as each other (interpreted), later ones a quarter of that.
        return onContextOfItsOwn(context -> {
            Uni<Void> passes = Uni.createFrom().voidItem();
            for (int i = 2; i <= rehearsals; i++) {
                passes = passes.chain(() -> timedPass(0, Uni.createFrom().voidItem()));
            }
            return passes;
        });
    }

    private Uni<Void> timedPass(int lane, Uni<Void> midway) {
        long began = System.nanoTime();
        return rehearse(lane, midway).invoke(() -> {
            done("ledger-pass", began);
            lastPassMillis.set((System.nanoTime() - began) / 1_000_000);
        });
    }

    /** Work subscribed to on a new context of its own, its outcome handed back. */
    private Uni<Void> onContextOfItsOwn(Function<Context, Uni<Void>> work) {
        Context context = PublicationRelay.contextOfItsOwn(vertx);
        return Uni.createFrom().emitter(emitter -> context.runOnContext(ignored ->
                Uni.createFrom().deferred(() -> work.apply(context)).subscribe().with(emitter::complete, emitter::fail)));
    }

    /** Runs one part; its time is kept as {@code kiln.registry.warm-start{part}} when it succeeds. */
    private void background(String part, java.util.function.Supplier<Uni<?>> work) {
        long began = System.nanoTime();
        Uni.createFrom().deferred(work).subscribe().with(ignored -> done(part, began),
                failure -> LOG.infof("warm start: %s not ready ahead of the first events (%s); the first event pays for it", part, failure.getMessage()));
    }

    private void done(String part, long began) {
        metrics.timer("kiln.registry.warm-start", "part", part).record(Duration.ofNanos(System.nanoTime() - began));
    }

    /**
     * A release tagged, built, verified and so published, and its publication recorded as sent by the relay, in one
     * transaction rolled back at its end: nothing of it is kept (but the three ids it drew) and nothing is sent (the
     * relay sends only what a committed transaction claimed for it; its rehearsal builds the message and stops there).
     */
    private Uni<Void> rehearse(int lane, Uni<Void> midway) {
        // A version per lane: side by side, the lanes would otherwise wait on each other's uncommitted release row.
        Release release = new Release("kiln-warm-start", "0.0." + lane, "release-0.0." + lane, "file:///kiln/warm-start", "0".repeat(40));
        String digest = "0".repeat(64);
        ImageBuilt built = new ImageBuilt(release, new Artifact("raw", "file:///kiln/warm-start/disk.raw", digest, 1, 1, digest),
                new Provenance(release.commit(), release.tag(), "file:///kiln/warm-start/upstream", digest, Map.of("kiln", "warm-start"), 1),
                "file:///kiln/warm-start/build.log");
        // As a consumer has it: decoded from its JSON.
        ImageVerified verified = EventCodec.decode(ImageVerified.class, EventCodec.encode(new ImageVerified(release, "raw", digest,
                new VerificationSummary("file:///kiln/warm-start/report", List.of("boot"), List.of(), 1))));
        return Panache.withTransaction(() -> ledger.tagged(new ReleaseTagged(release, null, "kiln", 1))
                .chain(() -> ledger.built(built))
                // As a verdict finds it: the format read back from the database (in this transaction), not the one in memory.
                .call(Panache::flush)
                .call(() -> Panache.getSession().invoke(Mutiny.Session::clear))
                .chain(() -> ledger.verified(verified))
                // Written out, so the statements run; then undone.
                .call(Panache::flush)
                // The relay's part of the publication, but the send.
                .call(() -> OutboxEntry.<OutboxEntry>find("eventKey = ?1", verified.key()).firstResult().chain(relay::rehearse))
                .call(Panache::flush)
                .call(() -> midway)
                .call(() -> Panache.currentTransaction().invoke(Mutiny.Transaction::markForRollback)));
    }
}
