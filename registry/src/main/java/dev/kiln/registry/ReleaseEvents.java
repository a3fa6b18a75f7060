package dev.kiln.registry;

import dev.kiln.events.BuildFailed;
import dev.kiln.events.EventCodec;
import dev.kiln.events.ImageBuilt;
import dev.kiln.events.ImageRebuilt;
import dev.kiln.events.ImageRejected;
import dev.kiln.events.ImageVerified;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.ReleaseTagged;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.time.Duration;
import java.util.function.Function;

/**
 * The registry's hop: the events of a release's life in, each applied to the {@link ReleaseLedger} in one
 * transaction. A payload that does not decode goes to the dead-letter topic and the consumer moves on; any other
 * failure is retried until it passes.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup
public class ReleaseEvents {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ReleaseEvents.class);
    private final ReleaseLedger ledger;
    private final Rebuilds rebuilds;
    private final ReleaseChanges changes;

    private final PublicationRelay relay;
    private final io.micrometer.core.instrument.MeterRegistry metrics;

    ReleaseEvents(ReleaseLedger ledger, Rebuilds rebuilds, ReleaseChanges changes, PublicationRelay relay, io.micrometer.core.instrument.MeterRegistry metrics) {
        this.relay = relay;
        this.metrics = metrics;
        this.ledger = ledger;
        this.rebuilds = rebuilds;
        this.changes = changes;
        // Each event type's timer exists from the start, at zero, so the first event of a type does not register it in its hop.
        dev.kiln.events.ServiceAccount.REGISTRY.consumes().forEach(type -> applied(type.payload()));
    }

    /** How long events of one type took from their arrival to their commit. */
    private io.micrometer.core.instrument.Timer applied(Class<? extends KilnEvent> type) {
        return metrics.timer("kiln.registry.applied", "event", type.getSimpleName());
    }

    @Incoming("image-rebuilt")
    public Uni<Void> onImageRebuilt(String payload) {
        return apply(ImageRebuilt.class, payload, rebuilds::rebuilt);
    }

    @Incoming("release-tagged")
    public Uni<Void> onReleaseTagged(String payload) {
        return apply(ReleaseTagged.class, payload, ledger::tagged);
    }

    @Incoming("image-built")
    public Uni<Void> onImageBuilt(String payload) {
        return apply(ImageBuilt.class, payload, ledger::built);
    }

    @Incoming("build-failed")
    public Uni<Void> onBuildFailed(String payload) {
        return apply(BuildFailed.class, payload, ledger::failed);
    }

    @Incoming("image-verified")
    public Uni<Void> onImageVerified(String payload) {
        return apply(ImageVerified.class, payload, ledger::verified);
    }

    @Incoming("image-rejected")
    public Uni<Void> onImageRejected(String payload) {
        return apply(ImageRejected.class, payload, ledger::rejected);
    }

    /**
     * Events of one release arrive on several topics at once, so two transactions may create the same row or change the
     * same format together: the loser fails on a unique key or the row's version and is simply run again, and sees
     * what the winner wrote. PostgreSQL restarting is waited for the same way, for as long as it takes (the wait
     * doubles up to 30 s): the record is never skipped. Only a payload that does not decode is dead-lettered, at once.
     */
    private <T extends KilnEvent> Uni<Void> apply(Class<T> type, String payload, Function<T, Uni<Void>> transition) {
        T event = EventCodec.decode(type, payload);
        long received = System.nanoTime();
        return Uni.createFrom().deferred(() -> {
                    PublicationRelay.Written written = relay.openWritten();
                    return Panache.withTransaction(() -> transition.apply(event)).replaceWith(written).onFailure().invoke(written::failed);
                })
                .onFailure().invoke(e -> LOG.debugf("applying %s will be retried: %s", type.getSimpleName(), e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(50), Duration.ofSeconds(30)).indefinitely()
                .invoke(written -> {
                    // How long an event took from its arrival to its commit, retries included: the registry's part of a hop.
                    long millis = (System.nanoTime() - received) / 1_000_000;
                    applied(type).record(Duration.ofMillis(millis));
                    LOG.infof("applied %s %s in %d ms", type.getSimpleName(), event.key(), millis);
                    changes.announce(event.release().image(), event.release().version());
                    // What the transition put in the outbox (an ImagePublished) goes out now, not at the relay's next tick.
                    relay.sendWritten(written);
                })
                .replaceWithVoid();
    }
}
