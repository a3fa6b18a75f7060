package dev.kiln.registry;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** A release (image + version) as the registry knows it: its source, and whether it was revoked. */
@Entity
@Table(name = "release")
public class ReleaseRecord extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String image;
    public String version;
    public String tag;
    public String repository;
    @Column(name = "commit_sha")
    public String commit;
    @Column(name = "revoked_reason")
    public String revokedReason;
    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;
    @Column(name = "created_at")
    public OffsetDateTime createdAt = OffsetDateTime.now();

    public boolean revoked() {
        return revokedAt != null;
    }

    /** The release as events name it. */
    dev.kiln.events.Release asRelease() {
        return new dev.kiln.events.Release(image, version, tag, repository, commit);
    }
}
