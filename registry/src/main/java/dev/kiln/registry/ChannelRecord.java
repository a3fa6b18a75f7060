package dev.kiln.registry;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** A named pointer to one version of an image, e.g. {@code production}. */
@Entity
@Table(name = "channel")
public class ChannelRecord extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String image;
    public String name;
    public String version;
    @Column(name = "updated_at")
    public OffsetDateTime updatedAt = OffsetDateTime.now();
}
