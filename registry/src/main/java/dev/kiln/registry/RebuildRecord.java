package dev.kiln.registry;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** A rebuild of a release (kiln rebuild): requested here, answered by a builder with its verdict. */
@Entity
@Table(name = "rebuild")
public class RebuildRecord extends PanacheEntityBase {
    /** Not yet answered by a builder. */
    public static final String REQUESTED = "requested";

    @Id
    public String id;
    @Column(name = "release_id")
    public Long releaseId;
    /** requested, bit-identical, differs or failed. */
    public String verdict;
    public String builder;
    /** JSON: recorded and rebuilt digest per format. */
    public String formats;
    /** JSON: the difference lines (capped). */
    public String differences;
    public String reason;
    @Column(name = "report_location")
    public String reportLocation;
    @Column(name = "requested_at")
    public OffsetDateTime requestedAt = OffsetDateTime.now();
    @Column(name = "completed_at")
    public OffsetDateTime completedAt;
}
