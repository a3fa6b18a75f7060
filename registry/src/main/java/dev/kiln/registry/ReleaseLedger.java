package dev.kiln.registry;

import dev.kiln.events.Artifact;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.ImageBuilt;
import dev.kiln.events.ImagePublished;
import dev.kiln.events.ImageRejected;
import dev.kiln.events.ImageVerified;
import dev.kiln.events.PerFormatEvent;
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
import java.util.function.BiFunction;

/**
 * The registry's state machine, per format of a release: built, failed, verified or rejected, published. Every
 * transition is idempotent (a redelivered event changes nothing) and nothing published is ever overwritten: a
 * conflicting event is refused and logged. Callers run each method in one transaction.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup
public class ReleaseLedger {
    private static final Logger LOG = Logger.getLogger(ReleaseLedger.class);

    private final StoredJson json;
    private final MeterRegistry metrics;
    private final PublicationRelay relay;

    ReleaseLedger(StoredJson json, MeterRegistry metrics, PublicationRelay relay) {
        this.json = json;
        this.metrics = metrics;
        this.relay = relay;
        // Every format's count exists from the start, at zero: a dashboard's rate has a series to start from, and the
        // first publication does not register its meter inside its transaction.
        dev.kiln.events.DiskFormat.ids().forEach(this::published);
    }

    /** Publications of one format since the registry started. */
    private io.micrometer.core.instrument.Counter published(String format) {
        return metrics.counter("kiln.registry.published", "format", format);
    }

    public Uni<Void> tagged(ReleaseTagged event) {
        return release(event.release()).replaceWithVoid();
    }

    public Uni<Void> built(ImageBuilt event) {
        return onFormat(event, (release, format) -> {
            Artifact artifact = event.artifact();
            boolean same = artifact.sha256().equals(format.sha256);
            if (format.state == null) {
                fill(format, event);
                format.state = State.BUILT;
                return done();
            }
            switch (format.state) {
                case PUBLISHED, VERIFIED -> {
                    if (!same) {
                        refuse(event.key(), "ImageBuilt with sha256 " + artifact.sha256() + " for a format already published as "
                                + format.sha256 + "; releases are immutable, release a new version");
                    }
                    return done();
                }
                case AWAITING_BUILD -> {
                    fill(format, event);
                    if (artifact.sha256().equals(format.verifiedSha256)) {
                        return publish(release, format);
                    }
                    format.state = State.BUILT;
                    return done();
                }
                case REJECTED -> {
                    if (artifact.sha256().equals(format.verifiedSha256)) {
                        fill(format, event); // the rejection of this very artifact arrived first: it stands
                        return done();
                    }
                    return rebuilt(format, event);
                }
                default -> {
                    if (same && format.state != State.FAILED) {
                        return done(); // redelivered
                    }
                    return rebuilt(format, event);
                }
            }
        });
    }

    /** Rebuilt before it was published: the new artifact replaces the old, and must be verified anew. */
    private Uni<Void> rebuilt(FormatRecord format, ImageBuilt event) {
        fill(format, event);
        format.state = State.BUILT;
        format.verifiedSha256 = null;
        format.verification = null;
        format.findings = null;
        format.failureStage = null;
        format.failureReason = null;
        return done();
    }

    public Uni<Void> failed(BuildFailed event) {
        return onFormat(event, (release, format) -> {
            if (format.state != null && format.state != State.FAILED) {
                LOG.warnf("%s: BuildFailed after the format was %s; keeping it", event.key(), format.state);
                return done();
            }
            format.state = State.FAILED;
            format.failedAt = OffsetDateTime.now();
            format.failureStage = event.stage();
            format.failureReason = event.reason();
            format.buildLog = event.buildLog();
            return done();
        });
    }

    public Uni<Void> verified(ImageVerified event) {
        return onFormat(event, (release, format) -> {
            if (format.state == null || format.state == State.BUILT || format.state == State.AWAITING_BUILD) {
                format.verifiedSha256 = event.sha256();
                format.judgedAt = OffsetDateTime.now();
                format.verification = json.write(event.verification());
                if (format.state == State.BUILT) {
                    if (event.sha256().equals(format.sha256)) {
                        return publish(release, format);
                    }
                    refuse(event.key(), "ImageVerified of sha256 " + event.sha256() + " but the built artifact is " + format.sha256);
                } else {
                    format.state = State.AWAITING_BUILD;
                }
            } else if (format.state == State.REJECTED) {
                refuse(event.key(), "ImageVerified after the format was rejected; a rejection stands until it is rebuilt");
            }
            // VERIFIED, PUBLISHED: redelivered. FAILED: nothing was built to verify.
            return done();
        });
    }

    public Uni<Void> rejected(ImageRejected event) {
        return onFormat(event, (release, format) -> {
            if (format.state == State.PUBLISHED || format.state == State.VERIFIED) {
                refuse(event.key(), "ImageRejected for a format already published; revoke the version instead");
                return done();
            }
            format.state = State.REJECTED;
            format.judgedAt = OffsetDateTime.now();
            format.verifiedSha256 = event.sha256();
            format.reportLocation = event.reportLocation();
            format.findings = json.write(event.findings());
            return done();
        });
    }

    /**
     * Runs a transition on the event's format: the row as stored, or a new one whose state is null. What the
     * transition leaves with a state is saved.
     */
    private Uni<Void> onFormat(PerFormatEvent event, BiFunction<ReleaseRecord, FormatRecord, Uni<Void>> transition) {
        return release(event.release()).chain(release -> release == null ? done()
                : FormatRecord.<FormatRecord>find("releaseId = ?1 and format = ?2", release.id, event.format()).firstResult()
                .chain(found -> {
                    FormatRecord format = found;
                    if (format == null) {
                        format = new FormatRecord();
                        format.releaseId = release.id;
                        format.format = event.format();
                    }
                    FormatRecord changed = format;
                    return transition.apply(release, changed).chain(() -> {
                        if (changed.state == null) {
                            return done();
                        }
                        changed.updatedAt = OffsetDateTime.now();
                        return changed.persist().replaceWithVoid();
                    });
                }));
    }

    private static Uni<Void> done() {
        return Uni.createFrom().voidItem();
    }

    /** Verified and built agree: the format is published, its ImagePublished written to the outbox in this transaction. */
    private Uni<Void> publish(ReleaseRecord release, FormatRecord format) {
        VerificationSummary verification = json.read(format.verification, VerificationSummary.class);
        format.reportLocation = verification.reportLocation();
        format.state = State.VERIFIED;
        format.updatedAt = OffsetDateTime.now();
        Release ofRelease = release.asRelease();
        ImagePublished published = new ImagePublished(ofRelease,
                new Artifact(format.format, format.artifactLocation, format.sha256, format.size, format.virtualSize, format.rawSha256),
                json.read(format.provenance, Provenance.class), verification);
        OutboxEntry entry = OutboxEntry.of(published, published.key());
        relay.claimAsWritten(entry);
        published(format.format).increment();
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

    private void fill(FormatRecord format, ImageBuilt event) {
        Artifact artifact = event.artifact();
        format.artifactLocation = artifact.location();
        format.sha256 = artifact.sha256();
        format.size = artifact.size();
        format.virtualSize = artifact.virtualSize();
        format.rawSha256 = artifact.rawSha256();
        format.provenance = json.write(event.provenance());
        format.buildLog = event.buildLog();
        format.updatedAt = OffsetDateTime.now();
        format.builtAt = format.updatedAt;
    }

    private void refuse(String key, String why) {
        metrics.counter("kiln.registry.refused").increment();
        LOG.errorf("refused event for %s: %s", key, why);
    }


}
