package dev.kiln.registry;

import dev.kiln.events.Artifact;
import dev.kiln.events.ImageRebuilt;
import dev.kiln.events.Provenance;
import dev.kiln.events.RebuildRequested;
import dev.kiln.registry.FormatRecord.State;
import dev.kiln.registry.Views.RebuildView;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * kiln rebuild, the registry's half: a request becomes a row and a RebuildRequested in the outbox (one transaction);
 * the builder's ImageRebuilt fills in the verdict. Only published formats are compared: they are what users run.
 */
@ApplicationScoped
public class Rebuilds {
    private static final Logger LOG = Logger.getLogger(Rebuilds.class);

    private final StoredJson json;
    private final MeterRegistry metrics;

    Rebuilds(StoredJson json, MeterRegistry metrics) {
        this.json = json;
        this.metrics = metrics;
    }

    /** Records a rebuild request for a release with published formats and queues its event. Callers hold a transaction. */
    Uni<RebuildView> request(String image, String version) {
        return ReleaseRecord.<ReleaseRecord>find("image = ?1 and version = ?2", image, version).firstResult().chain(release -> {
            if (release == null) {
                return Uni.createFrom().failure(new RegistryProblem(Status.NOT_FOUND, "image " + image + " has no version '" + version + "'"));
            }
            return FormatRecord.<FormatRecord>list("releaseId = ?1 and state = ?2 order by id", release.id, State.PUBLISHED).chain(formats -> {
                if (formats.isEmpty()) {
                    return Uni.createFrom().failure(new RegistryProblem(Status.CONFLICT, image + " " + version
                            + " has no published format: a rebuild is compared with what was published"));
                }
                List<Artifact> recorded = formats.stream().map(f -> new Artifact(f.format, f.artifactLocation, f.sha256, f.size,
                        f.virtualSize, f.rawSha256)).toList();
                long sourceDateEpoch = json.read(formats.get(0).provenance, Provenance.class).sourceDateEpoch();
                RebuildRequested event = new RebuildRequested(UUID.randomUUID().toString(),
                        release.asRelease(), sourceDateEpoch, recorded);
                RebuildRecord record = new RebuildRecord();
                record.id = event.rebuildId();
                record.releaseId = release.id;
                record.verdict = RebuildRecord.REQUESTED;
                OutboxEntry entry = OutboxEntry.of(event, event.rebuildId());
                metrics.counter("kiln.registry.rebuilds.requested").increment();
                return record.persist().chain(entry::persist).map(ignored -> view(release, record));
            });
        });
    }

    /** The builder's verdict. A redelivered or unknown-request verdict is applied once; a second verdict for a request is ignored. */
    public Uni<Void> rebuilt(ImageRebuilt event) {
        return ReleaseRecord.<ReleaseRecord>find("image = ?1 and version = ?2", event.release().image(), event.release().version()).firstResult()
                .chain(release -> {
                    if (release == null) {
                        LOG.errorf("ImageRebuilt %s for %s, which the registry does not know; ignored", event.rebuildId(), event.key());
                        return Uni.createFrom().voidItem();
                    }
                    return RebuildRecord.<RebuildRecord>findById(event.rebuildId()).chain(found -> {
                        RebuildRecord record = found;
                        if (record == null) {
                            record = new RebuildRecord();
                            record.id = event.rebuildId();
                            record.releaseId = release.id;
                        } else if (!RebuildRecord.REQUESTED.equals(record.verdict)) {
                            return Uni.createFrom().voidItem();
                        }
                        record.verdict = event.verdict();
                        record.builder = event.builder();
                        record.formats = json.write(event.formats());
                        record.differences = json.write(event.differences());
                        record.reason = event.reason();
                        record.reportLocation = event.reportLocation();
                        record.completedAt = OffsetDateTime.now();
                        metrics.counter("kiln.registry.rebuilds", "verdict", event.verdict()).increment();
                        LOG.infof("rebuild %s of %s: %s", event.rebuildId(), event.key(), event.verdict());
                        return record.persist().replaceWithVoid();
                    });
                });
    }

    Uni<List<RebuildView>> list(String image, String version) {
        return ReleaseRecord.<ReleaseRecord>find("image = ?1 and version = ?2", image, version).firstResult().chain(release -> {
            if (release == null) {
                return Uni.createFrom().failure(new RegistryProblem(Status.NOT_FOUND, "image " + image + " has no version '" + version + "'"));
            }
            return RebuildRecord.<RebuildRecord>list("releaseId = ?1 order by requestedAt desc", release.id)
                    .map(records -> records.stream().map(r -> view(release, r)).toList());
        });
    }

    Uni<RebuildView> one(String image, String version, String id) {
        return list(image, version).map(all -> all.stream().filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new RegistryProblem(Status.NOT_FOUND, image + " " + version + " has no rebuild " + id)));
    }

    /** The newest answered rebuild of a release, or null: what lookups show as the reproducibility verdict. */
    static Uni<RebuildRecord> latestVerdict(Long releaseId) {
        return RebuildRecord.<RebuildRecord>find("releaseId = ?1 and verdict <> ?2 order by completedAt desc", releaseId, RebuildRecord.REQUESTED)
                .firstResult();
    }

    RebuildView view(ReleaseRecord release, RebuildRecord r) {
        return new RebuildView(r.id, release.image, release.version, r.verdict, r.builder, json.tree(r.formats), json.tree(r.differences), r.reason,
                r.reportLocation, r.requestedAt, r.completedAt);
    }



}
