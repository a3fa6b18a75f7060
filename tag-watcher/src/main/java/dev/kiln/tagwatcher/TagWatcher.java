package dev.kiln.tagwatcher;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Scans every configured repository on its poll interval, or at once when a webhook or the API asks. Each
 * repository scans on its own thread, so a slow or unreachable one never holds up the others.
 */
@ApplicationScoped
public class TagWatcher {
    private static final Logger LOG = Logger.getLogger(TagWatcher.class);

    private final Map<String, RepositoryState> repositories = new LinkedHashMap<>();
    private final RepositoryScan scan;
    private final TagLedger ledger;
    private final MeterRegistry metrics;
    private final ExecutorService scanners;

    TagWatcher(WatcherConfig config, MeterRegistry metrics,
               @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.metrics = metrics;
        // Every kafka.* setting (address, SASL login), as the messaging connector uses it.
        Map<String, Object> kafka = new java.util.HashMap<>(kafkaConfig);
        config.repositories().forEach((name, repo) ->
                repositories.put(name, new RepositoryState(WatchedRepository.of(name, repo), config.maxBackoff())));
        this.ledger = new TagLedger(config.ledgerTopic(), kafka);
        this.scan = new RepositoryScan(ledger, kafka, config.mirrors(), config.emitExistingTags(),
                URI.create(config.eventSource()), Clock.systemUTC(), ImageOwners.assigned(config.repositories()));
        this.scanners = Executors.newFixedThreadPool(Math.max(1, repositories.size()), runnable -> {
            Thread thread = new Thread(runnable, "kiln-tag-scan");
            thread.setDaemon(true);
            return thread;
        });
        repositories.values().forEach(state -> metrics.gauge("kiln.watcher.repository.failing",
                java.util.List.of(io.micrometer.core.instrument.Tag.of("repository", state.repository().name())),
                state, s -> s.failing() ? 1 : 0));
    }

    void start(@Observes StartupEvent event) throws Exception {
        ledger.ensureTopic();
        LOG.infof("watching %d repositories: %s", repositories.size(), String.join(", ", repositories.keySet()));
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        // A scan in flight finishes its transaction; a scan cut short is simply redone by the next instance.
        scanners.shutdown();
        if (!scanners.awaitTermination(30, TimeUnit.SECONDS)) {
            scanners.shutdownNow();
        }
        scan.close();
    }

    @Scheduled(every = "${kiln.watcher.tick:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        Instant now = Instant.now();
        for (RepositoryState state : repositories.values()) {
            if (state.claimIfDue(now)) {
                scanners.submit(() -> run(state));
            }
        }
    }

    /** Asks for a scan of the named repository as soon as possible; false when no such repository is watched. */
    public boolean requestScan(String name) {
        RepositoryState state = repositories.get(name);
        if (state == null) {
            return false;
        }
        state.requestScan();
        // Now, not at the next tick: a webhook's tag is released within the scan's own time. One under way
        // leaves the request for the tick after it.
        if (state.claimIfDue(Instant.now())) {
            scanners.submit(() -> run(state));
        }
        return true;
    }

    public Collection<RepositoryView> repositories() {
        return repositories.values().stream().map(RepositoryState::view).toList();
    }

    public Optional<RepositoryView> repository(String name) {
        return Optional.ofNullable(repositories.get(name)).map(RepositoryState::view);
    }

    Optional<WatchedRepository> watched(String name) {
        return Optional.ofNullable(repositories.get(name)).map(RepositoryState::repository);
    }

    private void run(RepositoryState state) {
        String name = state.repository().name();
        try {
            RepositoryScan.Result result = scan.scan(state.repository());
            state.succeeded(Instant.now(), result.ledger());
            result.outcomes().forEach(o -> metrics.counter("kiln.watcher.tags", "repository", name, "status", o.status().name()).increment());
            metrics.counter("kiln.watcher.scans", "repository", name, "outcome", "ok").increment();
        } catch (Exception e) {
            String reason = describe(e);
            state.failed(Instant.now(), reason);
            metrics.counter("kiln.watcher.scans", "repository", name, "outcome", "failed").increment();
            LOG.warnf("scan of %s (%s) failed, retrying with backoff: %s", name, state.repository().publicUrl(), reason);
        }
    }

    private static String describe(Throwable e) {
        StringBuilder reason = new StringBuilder();
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            if (reason.indexOf(message) < 0) {
                reason.append(reason.isEmpty() ? "" : ": ").append(message);
            }
        }
        return reason.toString();
    }
}
