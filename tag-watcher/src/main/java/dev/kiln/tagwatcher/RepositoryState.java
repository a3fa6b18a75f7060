package dev.kiln.tagwatcher;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The watcher's view of one repository between scans: when it was scanned, whether that worked, when the next
 * scan is due (later and later while it keeps failing), and the ledger as of the last scan.
 */
final class RepositoryState {
    private final WatchedRepository repository;
    private final Duration maxBackoff;
    private Instant nextScan = Instant.EPOCH;
    private Instant lastScan;
    private Instant lastSuccess;
    private String lastError;
    private int consecutiveFailures;
    private boolean scanning;
    private boolean rescanRequested;
    private Map<String, LedgerEntry> ledger = Map.of();

    RepositoryState(WatchedRepository repository, Duration maxBackoff) {
        this.repository = repository;
        this.maxBackoff = maxBackoff;
    }

    WatchedRepository repository() {
        return repository;
    }

    /** Claims the next scan when it is due and none runs; the caller must then call {@link #succeeded} or {@link #failed}. */
    synchronized boolean claimIfDue(Instant now) {
        if (scanning || (now.isBefore(nextScan) && !rescanRequested)) {
            return false;
        }
        scanning = true;
        rescanRequested = false;
        return true;
    }

    synchronized void requestScan() {
        rescanRequested = true;
    }

    synchronized void succeeded(Instant now, Map<String, LedgerEntry> ledgerAfter) {
        scanning = false;
        lastScan = now;
        lastSuccess = now;
        lastError = null;
        consecutiveFailures = 0;
        if (!ledgerAfter.isEmpty()) {
            ledger = Map.copyOf(ledgerAfter);
        }
        nextScan = now.plus(repository.pollInterval());
    }

    synchronized void failed(Instant now, String error) {
        scanning = false;
        lastScan = now;
        lastError = error;
        consecutiveFailures++;
        nextScan = now.plus(backoff());
    }

    /** Poll interval doubled per consecutive failure, capped. */
    private Duration backoff() {
        Duration delay = repository.pollInterval();
        for (int i = 1; i < consecutiveFailures && delay.compareTo(maxBackoff) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
    }

    synchronized boolean failing() {
        return consecutiveFailures > 0;
    }

    synchronized RepositoryView view() {
        return RepositoryView.of(repository, lastScan, lastSuccess, lastError, consecutiveFailures, nextScan, ledger);
    }
}
