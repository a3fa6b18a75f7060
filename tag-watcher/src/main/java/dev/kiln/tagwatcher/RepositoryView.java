package dev.kiln.tagwatcher;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** A watched repository as the REST API and the health check show it. */
@Schema(description = "A watched repository, its state and the release tags seen in it")
public record RepositoryView(
        @Schema(description = "name under kiln.watcher.repositories") String name,
        @Schema(description = "URL or path, without credentials") String url,
        @Schema(description = "release tag glob; the star is the version") String tagPattern,
        @Schema(description = "PENDING before the first scan, WATCHING when the last scan worked, FAILING when it did not",
                enumeration = {"PENDING", "WATCHING", "FAILING"}) String state,
        Instant lastScan,
        Instant lastSuccess,
        @Schema(description = "why the last scan failed") String lastError,
        int consecutiveFailures,
        @Schema(description = "when the next scan is due (later and later while failing)") Instant nextScan,
        @Schema(description = "release tags seen, newest record first") List<TagView> tags) {

    @Schema(description = "A release tag as the watcher recorded it")
    public record TagView(String tag, String version, String commit, String currentCommit, String image,
                          @Schema(enumeration = {"RELEASED", "EXISTING", "REFUSED", "MOVED", "DELETED"}) String status,
                          String reason, String recordedAt) {
    }

    static RepositoryView of(WatchedRepository repo, Instant lastScan, Instant lastSuccess, String lastError, int failures,
                             Instant nextScan, Map<String, LedgerEntry> ledger) {
        String state = failures > 0 ? "FAILING" : lastSuccess == null ? "PENDING" : "WATCHING";
        List<TagView> tags = ledger.values().stream()
                .filter(e -> !e.tag().equals(TagLedger.WATCHING_MARKER))
                .sorted(Comparator.comparing(LedgerEntry::recordedAt).reversed().thenComparing(LedgerEntry::tag))
                .map(e -> new TagView(e.tag(), e.version(), e.commit(), e.currentCommit(), e.image(), e.status().name(),
                        e.reason(), e.recordedAt()))
                .toList();
        return new RepositoryView(repo.name(), repo.publicUrl(), repo.pattern().toString(), state, lastScan, lastSuccess,
                lastError, failures, nextScan, tags);
    }
}
