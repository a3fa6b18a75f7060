package dev.kiln.events;

import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A batch of results whose send fails in part is completed by sending again only what the broker did not take. The
 * emitter here stands in for the broker refusing one record of several, which a real broker cannot be made to do on
 * demand; the real path (emitter, connector, broker) is what every service test exercises.
 */
class EventMessagesTest {

    @Test
    void aRetrySendsOnlyWhatTheBrokerDidNotAcknowledge() throws Exception {
        List<KilnEvent> results = List.of(
                new BuildFailed(SampleEvents.release(), "raw", "create-workspace", "no space", List.of(), null),
                new BuildFailed(SampleEvents.release(), "qcow2", "create-workspace", "no space", List.of(), null),
                new BuildFailed(SampleEvents.release(), "vhd", "create-workspace", "no space", List.of(), null));
        RefusesOnce broker = new RefusesOnce("qcow2");

        EventMessages.sendEach("sending test results", broker, results, URI.create("/kiln/test"), Clock.systemUTC());

        assertEquals(List.of("raw", "qcow2", "vhd", "qcow2"), broker.offered, "the retry re-sent only the refused record");
        assertEquals(List.of("raw", "vhd", "qcow2"), broker.taken);
    }

    /** Refuses the first record of one format, takes everything else. */
    private static final class RefusesOnce implements Emitter<String> {
        final List<String> offered = new ArrayList<>();
        final List<String> taken = new ArrayList<>();
        private final String refusedFormat;
        private boolean refused;

        RefusesOnce(String refusedFormat) {
            this.refusedFormat = refusedFormat;
        }

        @Override
        public synchronized <M extends Message<? extends String>> void send(M message) {
            String format = EventCodec.decode(BuildFailed.class, message.getPayload()).format();
            offered.add(format);
            if (format.equals(refusedFormat) && !refused) {
                refused = true;
                message.nack(new IllegalStateException("broker unavailable"));
            } else {
                taken.add(format);
                message.ack();
            }
        }

        @Override
        public CompletionStage<Void> send(String msg) {
            throw new UnsupportedOperationException("kiln sends messages with metadata");
        }

        @Override
        public void complete() {
        }

        @Override
        public void error(Exception e) {
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean hasRequests() {
            return true;
        }
    }
}
