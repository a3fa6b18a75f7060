package dev.kiln.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.events.Artifact;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.ImageBuilt;
import dev.kiln.events.ImagePublished;
import dev.kiln.events.ImageRejected;
import dev.kiln.events.ImageVerified;
import dev.kiln.events.Provenance;
import dev.kiln.events.Release;
import dev.kiln.events.ReleaseTagged;
import dev.kiln.events.VerificationSummary;
import dev.kiln.registry.FormatRecord.State;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;

/**
 * The registry's state machine, per format of a release: built, failed, verified or rejected, published. Every
 * transition is idempotent (a redelivered event changes nothing) and nothing published is ever overwritten: a
 * conflicting event is refused and logged. Callers run each method in one transaction.
 */
@ApplicationScoped
public class ReleaseLedger {
    private static final Logger LOG = Logger.getLogger(ReleaseLedger.class);

    private final ObjectMapper json;
    private final MeterRegistry metrics;

    ReleaseLedger(ObjectMapper json, MeterRegistry metrics) {
        this.json = json;
        this.metrics = metrics;
    }

    public Uni<Void> tagged(ReleaseTagged event) {
        return release(event.release()).replaceWithVoid();
    }

    public Uni<Void> built(ImageBuilt event) {
        return release(event.release()).chain(release -> release == null ? Uni.createFrom().voidItem()
                : format(release, event.format()).chain(format -> {
                    Artifact artifact = event.artifact();
                    if (format == null) {
                        FormatRecord created = new FormatRecord();
                        created.releaseId = release.id;
                        created.format = event.format();
                        fill(created, event);
                        created.state = State.BUILT;
                        return created.persist().replaceWithVoid();
                    }
                    boolean same = artifact.sha256().equals(format.sha256);
                    switch (format.state) {
                        case PUBLISHED, VERIFIED -> {
                            if (!same) {
                                refuse(event.key(), "ImageBuilt with sha256 " + artifact.sha256() + " for a format already published as "
                                        + format.sha256 + "; releases are immutable, release a new version");
                            }
                            return Uni.createFrom().voidItem();
                        }
                        case AWAITING_BUILD -> {
                            fill(format, event);
                            if (artifact.sha256().equals(format.verifiedSha256)) {
                                return publish(release, format);
                            }
                            format.state = State.BUILT;
                            return Uni.createFrom().voidItem();
                        }
                        default -> {
                            if (same && format.state != State.FAILED) {
                                return Uni.createFrom().voidItem(); // redelivered
                            }
                            // Rebuilt before it was published: the new artifact replaces the old, and must be verified anew.
                            fill(format, event);
                            format.state = State.BUILT;
                            format.verifiedSha256 = null;
                            format.verification = null;
                            format.findings = null;
                            format.failureStage = null;
                            format.failureReason = null;
                            return Uni.createFrom().voidItem();
                        }
                    }
                }));
    }

    public Uni<Void> failed(BuildFailed event) {
        return release(event.release()).chain(release -> release == null ? Uni.createFrom().voidItem()
                : format(release, event.format()).chain(format -> {
                    if (format == null) {
                        format = new FormatRecord();
                        format.releaseId = release.id;
                        format.format = event.format();
                    } else if (format.state != State.FAILED) {
                        LOG.warnf("%s: BuildFailed after the format was %s; keeping it", event.key(), format.state);
                        return Uni.createFrom().voidItem();
                    }
                    format.state = State.FAILED;
                    format.failureStage = event.stage();
                    format.failureReason = event.reason();
                    format.buildLog = event.buildLog();
                    format.updatedAt = OffsetDateTime.now();
                    return format.persist().replaceWithVoid();
                }));
    }

    public Uni<Void> verified(ImageVerified event) {
        return release(event.release()).chain(release -> release == null ? Uni.createFrom().voidItem()
                : format(release, event.format()).chain(format -> {
                    if (format == null) {
                        format = new FormatRecord();
                        format.releaseId = release.id;
                        format.format = event.format();
                        format.state = State.AWAITING_BUILD;
                        format.verifiedSha256 = event.sha256();
                        format.verification = write(event.verification());
                        return format.persist().replaceWithVoid();
                    }
                    switch (format.state) {
                        case BUILT, AWAITING_BUILD -> {
                            format.verifiedSha256 = event.sha256();
                            format.verification = write(event.verification());
                            if (format.state == State.BUILT && event.sha256().equals(format.sha256)) {
                                return publish(release, format);
                            }
                            if (format.state == State.BUILT) {
                                refuse(event.key(), "ImageVerified of sha256 " + event.sha256() + " but the built artifact is " + format.sha256);
                            }
                            return Uni.createFrom().voidItem();
                        }
                        case REJECTED -> refuse(event.key(), "ImageVerified after the format was rejected; a rejection stands until it is rebuilt");
                        default -> {
                            // VERIFIED, PUBLISHED: redelivered. FAILED: nothing was built to verify.
                        }
                    }
                    return Uni.createFrom().voidItem();
                }));
    }

    public Uni<Void> rejected(ImageRejected event) {
        return release(event.release()).chain(release -> release == null ? Uni.createFrom().voidItem()
                : format(release, event.format()).chain(format -> {
                    if (format != null && (format.state == State.PUBLISHED || format.state == State.VERIFIED)) {
                        refuse(event.key(), "ImageRejected for a format already published; revoke the version instead");
                        return Uni.createFrom().voidItem();
                    }
                    if (format == null) {
                        format = new FormatRecord();
                        format.releaseId = release.id;
                        format.format = event.format();
                    }
                    format.state = State.REJECTED;
                    format.verifiedSha256 = event.sha256();
                    format.reportLocation = event.reportLocation();
                    format.findings = write(event.findings());
                    format.updatedAt = OffsetDateTime.now();
                    return format.persist().replaceWithVoid();
                }));
    }

    /** Verified and built agree: the format is published, its ImagePublished written to the outbox in this transaction. */
    private Uni<Void> publish(ReleaseRecord release, FormatRecord format) {
        VerificationSummary verification = read(format.verification, VerificationSummary.class);
        format.reportLocation = verification.reportLocation();
        format.state = State.VERIFIED;
        format.updatedAt = OffsetDateTime.now();
        Release ofRelease = new Release(release.image, release.version, release.tag, release.repository, release.commit);
        ImagePublished published = new ImagePublished(ofRelease,
                new Artifact(format.format, format.artifactLocation, format.sha256, format.size, format.virtualSize, format.rawSha256),
                read(format.provenance, Provenance.class), verification);
        OutboxEntry entry = new OutboxEntry();
        entry.eventType = EventType.IMAGE_PUBLISHED.type();
        entry.eventKey = published.key();
        entry.payload = EventCodec.encode(published);
        metrics.counter("kiln.registry.published", "format", format.format).increment();
        return entry.persist().replaceWithVoid();
    }

    /** The release row, made on first sight; null (refused) when the event names another commit for a known version. */
    private Uni<ReleaseRecord> release(Release release) {
        return ReleaseRecord.<ReleaseRecord>find("image = ?1 and version = ?2", release.image(), release.version()).firstResult()
                .chain(known -> {
                    if (known == null) {
                        ReleaseRecord created = new ReleaseRecord();
                        created.image = release.image();
                        created.version = release.version();
                        created.tag = release.tag();
                        created.repository = release.repository();
                        created.commit = release.commit();
                        return created.<ReleaseRecord>persist();
                    }
                    if (!known.commit.equals(release.commit())) {
                        refuse(release.key(), "an event for commit " + release.commit() + " but version " + release.version()
                                + " was released from " + known.commit + "; releases are immutable");
                        return Uni.createFrom().nullItem();
                    }
                    return Uni.createFrom().item(known);
                });
    }

    private static Uni<FormatRecord> format(ReleaseRecord release, String format) {
        return FormatRecord.<FormatRecord>find("releaseId = ?1 and format = ?2", release.id, format).firstResult();
    }

    private void fill(FormatRecord format, ImageBuilt event) {
        Artifact artifact = event.artifact();
        format.artifactLocation = artifact.location();
        format.sha256 = artifact.sha256();
        format.size = artifact.size();
        format.virtualSize = artifact.virtualSize();
        format.rawSha256 = artifact.rawSha256();
        format.provenance = write(event.provenance());
        format.buildLog = event.buildLog();
        format.updatedAt = OffsetDateTime.now();
    }

    private void refuse(String key, String why) {
        metrics.counter("kiln.registry.refused").increment();
        LOG.errorf("refused event for %s: %s", key, why);
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T read(String value, Class<T> type) {
        try {
            return json.readValue(value, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored " + type.getSimpleName() + " is unreadable", e);
        }
    }
}
