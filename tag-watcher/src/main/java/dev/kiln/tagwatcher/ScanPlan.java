package dev.kiln.tagwatcher;

import dev.kiln.events.KilnEvent;
import dev.kiln.events.KilnFile;
import dev.kiln.events.Release;
import dev.kiln.events.ReleaseTagViolation;
import dev.kiln.events.ReleaseTagged;
import dev.kiln.tagwatcher.LedgerEntry.Status;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one scan decides, given the tags a repository has now and the ledger of what was already done: which
 * events to emit and which ledger entries to write. Deciding is kept apart from Git and Kafka so that the
 * rules of immutability read in one place.
 */
final class ScanPlan {
    /** Reads the image name from kiln.yaml at a commit; throws when there is none or it is invalid. */
    interface KilnFileAt {
        KilnFile at(String commit) throws IOException;
    }

    /** One decision, for the log and the API. */
    record Outcome(String tag, Status status, String message, boolean loud) {
    }

    private final List<LedgerEntry> entries = new ArrayList<>();
    private final List<String> forgotten = new ArrayList<>();
    private final List<KilnEvent> events = new ArrayList<>();
    private final List<Outcome> outcomes = new ArrayList<>();

    private ScanPlan() {
    }

    /** Image name → owning repository, as known to this scan (including what it releases itself). */
    private ImageOwners owners = ImageOwners.firstReleaseOnly(Map.of());

    List<LedgerEntry> entries() {
        return entries;
    }

    List<String> forgotten() {
        return forgotten;
    }

    List<KilnEvent> events() {
        return events;
    }

    List<Outcome> outcomes() {
        return outcomes;
    }

    static ScanPlan decide(WatchedRepository repo, List<SeenTag> tags, Map<String, LedgerEntry> ledger,
                           boolean emitExisting, KilnFileAt kilnFile, String now) throws IOException {
        return decide(repo, tags, ledger, ImageOwners.firstReleaseOnly(Map.of()), emitExisting, kilnFile, now);
    }

    /** @param owners which repository may release each image name */
    static ScanPlan decide(WatchedRepository repo, List<SeenTag> tags, Map<String, LedgerEntry> ledger, ImageOwners owners,
                           boolean emitExisting, KilnFileAt kilnFile, String now) throws IOException {
        ScanPlan plan = new ScanPlan();
        plan.owners = owners;
        boolean firstScan = !ledger.containsKey(TagLedger.WATCHING_MARKER);
        if (firstScan) {
            plan.entries.add(new LedgerEntry(repo.name(), TagLedger.WATCHING_MARKER, Status.WATCHING, null, null, null, null, null, now));
        }
        Map<String, SeenTag> present = new HashMap<>();
        for (SeenTag tag : tags.stream().sorted(Comparator.comparing(SeenTag::name)).toList()) {
            Optional<String> version = repo.pattern().versionOf(tag.name());
            if (version.isEmpty()) {
                continue;
            }
            present.put(tag.name(), tag);
            LedgerEntry known = ledger.get(tag.name());
            if (known == null || (known.status() == Status.REFUSED && !tag.commit().equals(known.commit()))) {
                plan.decideNew(repo, tag, version.get(), firstScan && !emitExisting, kilnFile, now);
            } else {
                plan.decideKnown(repo, tag, known, now);
            }
        }
        for (LedgerEntry known : ledger.values()) {
            if (known.tag().equals(TagLedger.WATCHING_MARKER) || present.containsKey(known.tag())) {
                continue;
            }
            switch (known.status()) {
                case RELEASED, MOVED -> {
                    plan.entries.add(known.withStatus(Status.DELETED, null, now));
                    plan.events.add(new ReleaseTagViolation(release(repo, known), ReleaseTagViolation.DELETED, null));
                    plan.outcomes.add(new Outcome(known.tag(), Status.DELETED, "released tag " + known.tag() + " of " + repo.name()
                            + " was deleted; release " + known.version() + " stays as built from " + known.commit()
                            + ". Releases are immutable: restore the tag or release a new version", true));
                }
                case EXISTING, REFUSED -> plan.forgotten.add(known.tag());
                default -> {
                }
            }
        }
        return plan;
    }

    private void decideNew(WatchedRepository repo, SeenTag tag, String version, boolean existing, KilnFileAt kilnFile,
                           String now) throws IOException {
        Optional<String> unsafe = TagNamePolicy.refusal(tag.name(), repo.pattern());
        if (unsafe.isPresent()) {
            refuse(repo, tag, version, "unsafe tag name: " + unsafe.get(), now);
            return;
        }
        if (existing) {
            entries.add(new LedgerEntry(repo.name(), tag.name(), Status.EXISTING, tag.commit(), null, version, null, null, now));
            outcomes.add(new Outcome(tag.name(), Status.EXISTING, "tag " + tag.name() + " was there before " + repo.name()
                    + " was watched; recorded, not built (set kiln.watcher.emit-existing-tags=true to build such tags)", false));
            return;
        }
        KilnFile file;
        try {
            file = kilnFile.at(tag.commit());
        } catch (KilnFile.InvalidKilnFile e) {
            refuse(repo, tag, version, e.getMessage(), now);
            return;
        } catch (IOException e) {
            // A tag whose tree or kiln.yaml cannot be read (a missing or corrupt object) is refused alone.
            refuse(repo, tag, version, "kiln.yaml at commit " + tag.commit() + " cannot be read: " + e.getMessage(), now);
            return;
        }
        Release release = new Release(file.image(), version, tag.name(), repo.publicUrl(), tag.commit());
        Optional<String> foreign = owners.refusal(file.image(), repo.name());
        if (foreign.isPresent()) {
            String why = foreign.get();
            refuse(repo, tag, version, why, now);
            events.add(new ReleaseTagViolation(release, ReleaseTagViolation.FOREIGN_IMAGE, null, why));
            return;
        }
        owners.released(file.image(), repo.name());
        entries.add(new LedgerEntry(repo.name(), tag.name(), Status.RELEASED, tag.commit(), null, version, file.image(), null, now));
        events.add(new ReleaseTagged(release, tag.tagObject(), tag.tagger(), tag.commitTime()));
        outcomes.add(new Outcome(tag.name(), Status.RELEASED, "release " + file.image() + " " + version + " tagged "
                + tag.name() + " at " + tag.commit() + " in " + repo.name() + ": ReleaseTagged emitted", false));
    }

    private void decideKnown(WatchedRepository repo, SeenTag tag, LedgerEntry known, String now) {
        boolean atReleased = tag.commit().equals(known.commit());
        switch (known.status()) {
            case RELEASED -> {
                if (!atReleased) {
                    moved(repo, tag, known, now);
                }
            }
            case MOVED -> {
                if (atReleased) {
                    entries.add(known.withStatus(Status.RELEASED, null, now));
                    outcomes.add(new Outcome(tag.name(), Status.RELEASED, "tag " + tag.name() + " of " + repo.name()
                            + " points at its released commit " + known.commit() + " again", true));
                } else if (!tag.commit().equals(known.currentCommit())) {
                    moved(repo, tag, known, now);
                }
            }
            case DELETED -> {
                if (atReleased) {
                    entries.add(known.withStatus(Status.RELEASED, null, now));
                    outcomes.add(new Outcome(tag.name(), Status.RELEASED, "deleted tag " + tag.name() + " of " + repo.name()
                            + " was restored at its released commit " + known.commit() + "; nothing is rebuilt", true));
                } else {
                    moved(repo, tag, known, now);
                }
            }
            case EXISTING -> {
                if (!atReleased) {
                    entries.add(new LedgerEntry(repo.name(), tag.name(), Status.EXISTING, tag.commit(), null, known.version(), null, null, now));
                    outcomes.add(new Outcome(tag.name(), Status.EXISTING, "pre-existing tag " + tag.name() + " of " + repo.name()
                            + " moved from " + known.commit() + " to " + tag.commit() + "; it was never built by kiln, so nothing happens", true));
                }
            }
            default -> {
            }
        }
    }

    private void moved(WatchedRepository repo, SeenTag tag, LedgerEntry known, String now) {
        entries.add(known.withStatus(Status.MOVED, tag.commit(), now));
        events.add(new ReleaseTagViolation(release(repo, known), ReleaseTagViolation.MOVED, tag.commit()));
        outcomes.add(new Outcome(tag.name(), Status.MOVED, "released tag " + tag.name() + " of " + repo.name() + " was moved from "
                + known.commit() + " to " + tag.commit() + "; it is NOT rebuilt. Releases are immutable: move the tag back or release a new version", true));
    }

    private void refuse(WatchedRepository repo, SeenTag tag, String version, String reason, String now) {
        entries.add(new LedgerEntry(repo.name(), tag.name(), Status.REFUSED, tag.commit(), null, version, null, reason, now));
        outcomes.add(new Outcome(tag.name(), Status.REFUSED, "tag " + tag.name() + " of " + repo.name() + " is refused, nothing is built: " + reason, true));
    }

    private static Release release(WatchedRepository repo, LedgerEntry known) {
        return new Release(known.image(), known.version(), known.tag(), repo.publicUrl(), known.commit());
    }
}
