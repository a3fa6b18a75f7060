package dev.kiln.deploy;

import dev.kiln.events.EventCodec;
import dev.kiln.events.EventMessages;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Clock;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Sends the outbox's deployment events in the order they were committed, each marked sent once the broker has it. A
 * send that fails is tried again (the event keeps its id, so a subscriber drops a repeat).
 */
@ApplicationScoped
public class EventRelay {
    private static final Logger LOG = Logger.getLogger(EventRelay.class);
    private final DeployLedger ledger;
    private final Emitter<String> emitter;
    private final URI source;
    private final Semaphore work = new Semaphore(0);
    private volatile boolean running = true;
    private Thread thread;

    EventRelay(DeployLedger ledger, @Channel("deployment-events") Emitter<String> emitter, DeployConfig config) {
        this.ledger = ledger;
        this.emitter = emitter;
        this.source = URI.create(config.eventSource());
    }

    void start(@Observes StartupEvent start) {
        thread = new Thread(this::relay, "kiln-deploy-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent stop) throws InterruptedException {
        running = false;
        nudge();
        if (thread != null) {
            thread.join(10_000);
        }
    }

    /** Something was committed to the outbox. */
    void nudge() {
        work.release();
    }

    private void relay() {
        while (running) {
            try {
                work.tryAcquire(1, TimeUnit.SECONDS);
                work.drainPermits();
                for (DeployLedger.OutboxRow row : ledger.unsent()) {
                    EventMessages.send(emitter, EventCodec.decode(row.type().payload(), row.payload()), source, Clock.systemUTC())
                            .get(30, TimeUnit.SECONDS);
                    ledger.sent(row.id());
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (running) {
                    LOG.warnf("sending deployment events failed, trying again: %s", e.getMessage());
                    try {
                        Thread.sleep(2000);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }
    }
}
