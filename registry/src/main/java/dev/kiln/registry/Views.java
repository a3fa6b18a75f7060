package dev.kiln.registry;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;

/** What the API returns. */
public final class Views {
    private Views() {
    }

    @Schema(description = "An image and how many versions it has")
    public record ImageView(String image, long versions, @Schema(description = "newest version with a published format") String latestPublished) {
    }

    @Schema(description = "One format of a release")
    public record FormatView(String format,
                             @Schema(enumeration = {"AWAITING_BUILD", "BUILT", "FAILED", "REJECTED", "VERIFIED", "PUBLISHED"}) String state,
                             String location, String sha256, Long size, Long virtualSize,
                             @Schema(description = "sha256 of the disk decoded to raw: the same for every format of a release") String rawSha256,
                             JsonNode provenance, JsonNode verification, String reportLocation, JsonNode findings,
                             String failureStage, String failureReason, String buildLog,
                             @Schema(description = "when its build reached the registry") OffsetDateTime builtAt,
                             @Schema(description = "when its verdict (verified or rejected) reached the registry") OffsetDateTime judgedAt,
                             @Schema(description = "when its build failure reached the registry") OffsetDateTime failedAt,
                             OffsetDateTime publishedAt) {
    }

    @Schema(description = "A release and its formats")
    public record VersionView(String image, String version, String tag, String commit, String repository,
                              @Schema(enumeration = {"building", "verifying", "published", "failed", "rejected", "revoked"}) String state,
                              String revokedReason, OffsetDateTime revokedAt, OffsetDateTime createdAt, List<FormatView> formats) {
    }

    @Schema(description = "What provisioning tools need to start a machine from a published image")
    public record LookupView(String image, String version, String format, @Schema(description = "set when looked up by channel") String channel,
                             @Schema(description = "where the image file is (file:// or s3://)") String location,
                             String sha256, long size, long virtualSize, String rawSha256, String commit,
                             @Schema(description = "the newest answered rebuild of this version (kiln rebuild), or null if none was run") RebuildVerdict rebuild) {
    }

    @Schema(description = "Whether the version was rebuilt from its tag bit for bit")
    public record RebuildVerdict(String id, @Schema(enumeration = {"bit-identical", "differs", "failed"}) String verdict,
                                 OffsetDateTime completedAt, String reportLocation) {
    }

    @Schema(description = "A rebuild of a released tag from scratch, compared with what was published")
    public record RebuildView(String id, String image, String version,
                              @Schema(enumeration = {"requested", "bit-identical", "differs", "failed"}) String verdict,
                              @Schema(description = "the builder instance that rebuilt it") String builder,
                              @Schema(description = "recorded and rebuilt sha256 per format") JsonNode formats,
                              @Schema(description = "what differs, one line each (capped; the report has all)") JsonNode differences,
                              String reason, String reportLocation, OffsetDateTime requestedAt, OffsetDateTime completedAt) {
    }

    @Schema(description = "A named pointer to a version")
    public record ChannelView(String image, String name, String version, OffsetDateTime updatedAt) {
    }

    public record Promotion(@Schema(required = true, description = "the version the channel points at from now on") String version) {
    }

    public record Revocation(@Schema(required = true, description = "why the version must not be used, for the people who would") String reason) {
    }
}
