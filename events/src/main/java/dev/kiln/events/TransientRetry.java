package dev.kiln.events;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * How a consumer treats a failure that is not the event's fault (the broker, the store, PostgreSQL or a Git remote
 * briefly away): it waits and tries again, with a wait that doubles up to a minute, for as long as it takes, and
 * never skips the record. Only a {@link MalformedEventException} (the event itself is wrong) goes on to the
 * dead-letter topic. Interrupting the thread (the service stopping) ends the waiting; the record is then redelivered.
 */
public final class TransientRetry {
    private static final Logger LOG = Logger.getLogger(TransientRetry.class);
    static final Duration FIRST_WAIT = Duration.ofSeconds(1);
    static final Duration MAX_WAIT = Duration.ofMinutes(1);

    private TransientRetry() {
    }

    /** Runs {@code work} until it succeeds; {@code what} names it in the log ("verification of debian-web 1.0.0 raw"). */
    public static <T> T untilDone(String what, Callable<T> work) throws InterruptedException {
        return untilDone(what, work, FIRST_WAIT, MAX_WAIT);
    }

    static <T> T untilDone(String what, Callable<T> work, Duration firstWait, Duration maxWait) throws InterruptedException {
        Duration wait = firstWait;
        for (int attempt = 1; ; attempt++) {
            try {
                return work.call();
            } catch (MalformedEventException | InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException(what + " stopped while failing: " + e.getMessage());
                }
                LOG.warnf("%s failed (attempt %d): %s; trying again in %d s, the record waits", what, attempt, e.getMessage(), wait.toSeconds());
                Thread.sleep(wait.toMillis());
                wait = wait.multipliedBy(2).compareTo(maxWait) > 0 ? maxWait : wait.multipliedBy(2);
            }
        }
    }

    /** {@link #untilDone} for work that returns nothing. */
    public static void untilDone(String what, Action work) throws InterruptedException {
        untilDone(what, () -> {
            work.run();
            return null;
        });
    }

    /** Work that may fail and returns nothing. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }
}
