package dev.kiln.deploy;

import dev.kiln.events.ChannelMoved;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventMessages;
import dev.kiln.events.EventType;
import dev.kiln.events.ImagePublished;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.TransientRetry;
import dev.kiln.events.VersionRevoked;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The registry's events in: each is recorded once (by its CloudEvent id, so a redelivered ImagePublished starts no
 * second rollout) together with a note to the image's deployments that what they run may change. A payload that does
 * not decode is dead-lettered; PostgreSQL away is waited for.
 */
@ApplicationScoped
public class RegistryEvents {
    private static final Logger LOG = Logger.getLogger(RegistryEvents.class);
    private final DeployLedger ledger;
    private final Rollouts rollouts;

    RegistryEvents(DeployLedger ledger, Rollouts rollouts) {
        this.ledger = ledger;
        this.rollouts = rollouts;
    }

    @Incoming("image-published")
    @Blocking
    public void onPublished(String payload) throws InterruptedException {
        ImagePublished published = EventCodec.decode(ImagePublished.class, payload);
        // Only the deployments that run this format: a rollout's cause is the publication that made its format available.
        record(published, published.format(), "image-published", c -> DeployLedger.recordPublished(c, published));
    }

    @Incoming("channel-moved")
    @Blocking
    public void onChannelMoved(String payload) throws InterruptedException {
        ChannelMoved moved = EventCodec.decode(ChannelMoved.class, payload);
        record(moved, null, "channel-moved", c -> DeployLedger.recordChannelMove(c, moved));
    }

    @Incoming("version-revoked")
    @Blocking
    public void onVersionRevoked(String payload) throws InterruptedException {
        VersionRevoked revoked = EventCodec.decode(VersionRevoked.class, payload);
        record(revoked, null, "version-revoked", c -> DeployLedger.recordRevoked(c, revoked));
    }

    /** What an event changes in the ledger, inside the transaction that records its id. */
    @FunctionalInterface
    private interface Effect {
        void apply(java.sql.Connection c) throws java.sql.SQLException;
    }

    private void record(KilnEvent event, String format, String trigger, Effect effect) throws InterruptedException {
        EventType type = EventType.of(event);
        String id = EventMessages.idOf(event);
        String image = event.release().image();
        boolean first = TransientRetry.untilDone("recording " + type.type() + " " + id, () -> ledger.handleOnce(id, type, c -> {
            effect.apply(c);
            DeployLedger.wakeDeploymentsOf(c, image, format, trigger, id);
            return null;
        }));
        if (first) {
            rollouts.wake();
        } else {
            LOG.infof("%s %s was handled before (a redelivery): nothing to do", type.type(), id);
        }
    }
}
