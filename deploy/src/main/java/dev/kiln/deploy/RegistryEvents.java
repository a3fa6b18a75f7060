package dev.kiln.deploy;

import dev.kiln.events.ChannelMoved;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventMessages;
import dev.kiln.events.EventType;
import dev.kiln.events.ImagePublished;
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
        String id = EventMessages.idOf(published);
        // Only the deployments that run this format: a rollout's cause is the publication that made its format available.
        record(id, EventType.IMAGE_PUBLISHED, published.release().image(), published.format(), "image-published", c -> {
            DeployLedger.recordPublished(c, published);
            return null;
        });
    }

    @Incoming("channel-moved")
    @Blocking
    public void onChannelMoved(String payload) throws InterruptedException {
        ChannelMoved moved = EventCodec.decode(ChannelMoved.class, payload);
        record(EventMessages.idOf(moved), EventType.CHANNEL_MOVED, moved.release().image(), null, "channel-moved", c -> {
            DeployLedger.recordChannelMove(c, moved);
            return null;
        });
    }

    @Incoming("version-revoked")
    @Blocking
    public void onVersionRevoked(String payload) throws InterruptedException {
        VersionRevoked revoked = EventCodec.decode(VersionRevoked.class, payload);
        record(EventMessages.idOf(revoked), EventType.VERSION_REVOKED, revoked.release().image(), null, "version-revoked", c -> {
            DeployLedger.recordRevoked(c, revoked);
            return null;
        });
    }

    private void record(String id, EventType type, String image, String format, String trigger, DeployLedger.Work<Void> effect)
            throws InterruptedException {
        boolean first = TransientRetry.untilDone("recording " + type.type() + " " + id, () -> ledger.handleOnce(id, type, c -> {
            effect.in(c);
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
