package dev.kiln.registry;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** One format of a release and where it is: built, failed, verified or rejected, published. */
@Entity
@Table(name = "release_format")
public class FormatRecord extends PanacheEntityBase {
    public enum State {
        /** Verification arrived before the build event it is about (they travel on different topics). */
        AWAITING_BUILD,
        BUILT,
        FAILED,
        REJECTED,
        /** Verified; ImagePublished is in the outbox. */
        VERIFIED,
        /** ImagePublished was sent: lookups serve it, and it never changes again. */
        PUBLISHED
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "release_id")
    public Long releaseId;
    public String format;
    @Enumerated(EnumType.STRING)
    public State state;
    @Column(name = "artifact_location")
    public String artifactLocation;
    public String sha256;
    @Column(name = "size_bytes")
    public Long size;
    @Column(name = "virtual_size")
    public Long virtualSize;
    @Column(name = "raw_sha256")
    public String rawSha256;
    /** JSON of the event's Provenance. */
    public String provenance;
    @Column(name = "build_log")
    public String buildLog;
    @Column(name = "verified_sha256")
    public String verifiedSha256;
    /** JSON of the event's VerificationSummary. */
    public String verification;
    @Column(name = "report_location")
    public String reportLocation;
    /** JSON list of the rejection's findings. */
    public String findings;
    @Column(name = "failure_stage")
    public String failureStage;
    @Column(name = "failure_reason")
    public String failureReason;
    @Column(name = "updated_at")
    public OffsetDateTime updatedAt = OffsetDateTime.now();
    @Column(name = "published_at")
    public OffsetDateTime publishedAt;
    /** When the build, the verdict (verified or rejected) and a build failure reached the registry. */
    @Column(name = "built_at")
    public OffsetDateTime builtAt;
    @Column(name = "judged_at")
    public OffsetDateTime judgedAt;
    @Column(name = "failed_at")
    public OffsetDateTime failedAt;
    /** Optimistic lock: two events changing one format at once cannot both win. */
    @jakarta.persistence.Version
    @Column(name = "row_version")
    public int rowVersion;
}
