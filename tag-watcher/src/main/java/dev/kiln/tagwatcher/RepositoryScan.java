package dev.kiln.tagwatcher;

import dev.kiln.events.EventRecords;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.KilnFile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One scan of one repository, exactly once across restarts and instances. A transactional producer whose id is
 * the repository's fences every other instance first; only then is the repository fetched and the ledger read,
 * so the scan that commits has seen everything committed before it and the newest state of the repository.
 * Events and ledger entries go out in one transaction: both or neither.
 */
final class RepositoryScan {
    private static final Logger LOG = Logger.getLogger(RepositoryScan.class);

    /** What a scan did; {@code ledger} is the repository's ledger after it. */
    record Result(List<ScanPlan.Outcome> outcomes, Map<String, LedgerEntry> ledger, int events, boolean fenced) {
    }

    private final TagLedger ledger;
    private final Map<String, Object> kafka;
    private final Path mirrors;
    private final boolean emitExistingTags;
    private final URI source;
    private final Clock clock;
    private final Map<String, String> assignedImages;
    private final java.util.concurrent.locks.ReentrantLock decisions = new java.util.concurrent.locks.ReentrantLock();
    private final Map<String, String> releasedHere = new HashMap<>();

    RepositoryScan(TagLedger ledger, Map<String, Object> kafka, Path mirrors, boolean emitExistingTags, URI source, Clock clock) {
        this(ledger, kafka, mirrors, emitExistingTags, source, clock, Map.of());
    }

    /** @param assignedImages image name → repository, as the operator assigned them (they override first releases) */
    RepositoryScan(TagLedger ledger, Map<String, Object> kafka, Path mirrors, boolean emitExistingTags, URI source, Clock clock,
                   Map<String, String> assignedImages) {
        this.assignedImages = Map.copyOf(assignedImages);
        this.ledger = ledger;
        this.kafka = Map.copyOf(kafka);
        this.mirrors = mirrors;
        this.emitExistingTags = emitExistingTags;
        this.source = source;
        this.clock = clock;
    }

    /**
     * Each repository's transactional producer, kept between scans (signing in and initialising a transaction costs
     * most of a scan); closed and made again after any failure, which is also how a fenced one is given up.
     */
    private final Map<String, KafkaProducer<String, String>> producers = new java.util.concurrent.ConcurrentHashMap<>();

    private KafkaProducer<String, String> producer(WatchedRepository repo) {
        return producers.computeIfAbsent(repo.name(), name -> {
            Map<String, Object> config = new HashMap<>(kafka);
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kiln-tag-watcher-" + name);
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Duration.ofSeconds(20).toMillis());
            KafkaProducer<String, String> made = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
            try {
                made.initTransactions();
            } catch (RuntimeException e) {
                made.close(Duration.ofSeconds(5));
                throw e;
            }
            return made;
        });
    }

    /**
     * Scans never overlap for one repository in this process (RepositoryState), so its producer is used by one scan at a
     * time. A kept producer found fenced was fenced by another instance that scanned since, not by one scanning now:
     * the scan is done again with a new producer, which takes the transactional id back; only a new producer's fencing
     * means another instance is scanning at this moment (and emits what this scan would have).
     */
    Result scan(WatchedRepository repo) throws Exception {
        boolean kept = producers.containsKey(repo.name());
        Result result;
        try {
            result = scanOnce(repo);
        } catch (TransactionFailed e) {
            // The broker failed the scan's transaction for a reason of its own (seen once in a test run: "unexpected
            // error" ending it while another instance took the transactional id). A new producer's initialisation
            // finishes whatever the failed one left (aborted, or its commit completed), so the scan is done once more,
            // from the ledger as it then stands; a second failure is the caller's to retry, with its backoff.
            LOG.warnf("scan of %s: its transaction failed (%s); scanning again with a new producer", repo.name(), e.getCause().getMessage());
            return scanOnce(repo);
        }
        return result.fenced() && kept ? scanOnce(repo) : result;
    }

    /** The broker refused or failed the scan's transaction, for another reason than a fencing. */
    static final class TransactionFailed extends Exception {
        TransactionFailed(KafkaException cause) {
            super("the scan's transaction failed: " + cause.getMessage(), cause);
        }
    }

    private Result scanOnce(WatchedRepository repo) throws Exception {
        Result result;
        try {
            result = scanWith(producer(repo), repo);
        } catch (Exception | Error e) {
            discardProducer(repo);
            throw e;
        }
        if (result.fenced()) {
            // Another instance holds the transactional id now; a later scan here starts a producer of its own again.
            discardProducer(repo);
        }
        return result;
    }

    private void discardProducer(WatchedRepository repo) {
        KafkaProducer<String, String> failed = producers.remove(repo.name());
        if (failed != null) {
            failed.close(Duration.ofSeconds(5));
        }
    }

    /** The producers, at shutdown; a scan in flight has finished by then. */
    void close() {
        producers.values().forEach(p -> p.close(Duration.ofSeconds(5)));
        producers.clear();
        ledger.close();
    }

    private Result scanWith(KafkaProducer<String, String> producer, WatchedRepository repo) throws Exception {
        try {
            ScanPlan plan;
            Map<String, LedgerEntry> known;
            // From reading the ledger to committing what the scan decided, one scan at a time in this process: two
            // repositories' first releases of one image name cannot both see it unowned.
            boolean deciding = false;
            try {
                try (GitSource git = GitSource.open(repo, mirrors)) {
                    List<SeenTag> tags = git.tags();
                    decisions.lock();
                    deciding = true;
                    TagLedger.Snapshot snapshot = ledger.snapshot();
                    known = snapshot.forRepository(repo.name());
                    ScanPlan.KilnFileAt kilnFile = commit -> KilnFile.parse(git.read(commit, KilnFile.PATH)
                            .orElseThrow(() -> new KilnFile.InvalidKilnFile("there is no kiln.yaml at the repository root in commit " + commit)));
                    // The ledger's first releases, and this process's own (a transaction just committed may take the
                    // broker a moment to show to readers).
                    Map<String, String> firstReleased = new HashMap<>(snapshot.owners());
                    releasedHere.forEach(firstReleased::putIfAbsent);
                    plan = ScanPlan.decide(repo, tags, known, ImageOwners.of(assignedImages, firstReleased), emitExistingTags, kilnFile,
                            OffsetDateTime.now(clock).toString());
                }
                if (!plan.entries().isEmpty() || !plan.forgotten().isEmpty()) {
                    try {
                        producer.beginTransaction();
                        for (KilnEvent event : plan.events()) {
                            producer.send(EventRecords.of(event, source, clock));
                        }
                        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> written = new ArrayList<>();
                        plan.entries().forEach(entry -> written.add(producer.send(ledger.write(entry))));
                        plan.forgotten().forEach(tag -> written.add(producer.send(ledger.forget(repo.name(), tag))));
                        producer.commitTransaction();
                        // The next scan's read of the ledger must include what this one wrote (a commit's markers reach
                        // the partition a moment after commitTransaction returns).
                        for (java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> record : written) {
                            ledger.wrote(record.get());
                        }
                        plan.entries().stream().filter(e -> e.status() == LedgerEntry.Status.RELEASED && e.image() != null)
                                .forEach(e -> releasedHere.putIfAbsent(e.image(), e.repository()));
                    } catch (KafkaException e) {
                        if (!fenced(e)) {
                            throw new TransactionFailed(e);
                        }
                        LOG.infof("scan of %s yielded to another watcher instance scanning it at the same time; that one emits", repo.name());
                        return new Result(List.of(), known, 0, true);
                    }
                }
            } finally {
                if (deciding) {
                    decisions.unlock();
                }
            }
            for (ScanPlan.Outcome outcome : plan.outcomes()) {
                if (outcome.loud()) {
                    LOG.error(outcome.message());
                } else {
                    LOG.info(outcome.message());
                }
            }
            Map<String, LedgerEntry> after = new HashMap<>(known);
            plan.entries().forEach(entry -> after.put(entry.tag(), entry));
            plan.forgotten().forEach(after::remove);
            return new Result(plan.outcomes(), after, plan.events().size(), false);
        } catch (KafkaException e) {
            if (!fenced(e)) {
                throw e;
            }
            LOG.infof("scan of %s yielded to another watcher instance scanning it at the same time", repo.name());
            return new Result(List.of(), Map.of(), 0, true);
        }
    }

    /** Another instance initialised the same transactional id after this one: it owns the scan now. */
    private static boolean fenced(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }
}
