package dev.kiln.registry;

import dev.kiln.events.ChannelMoved;
import dev.kiln.events.KilnFile;
import dev.kiln.events.VersionRevoked;
import dev.kiln.registry.FormatRecord.State;
import dev.kiln.registry.Views.ChannelView;
import dev.kiln.registry.Views.FormatView;
import dev.kiln.registry.Views.ImageView;
import dev.kiln.registry.Views.LookupView;
import dev.kiln.registry.Views.VersionView;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response.Status;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads and the two writes of the registry API, over the ledger's tables. Callers hold a session. */
@ApplicationScoped
public class Catalog {
    /** The states a version can be in (as its view computes them); the OpenAPI enumerations repeat them. */
    static final List<String> VERSION_STATES = List.of("building", "verifying", "published", "failed", "rejected", "revoked");
    static final int MAX_REASON_CHARS = 1000;
    private final StoredJson json;

    Catalog(StoredJson json) {
        this.json = json;
    }

    Uni<List<ImageView>> images() {
        return ReleaseRecord.<ReleaseRecord>listAll().chain(releases -> FormatRecord.<FormatRecord>list("state", State.PUBLISHED)
                .map(published -> {
                    Map<Long, ReleaseRecord> byId = releases.stream().collect(Collectors.toMap(r -> r.id, r -> r));
                    Map<String, List<ReleaseRecord>> byImage = releases.stream().collect(Collectors.groupingBy(r -> r.image));
                    List<ImageView> views = new ArrayList<>();
                    byImage.forEach((image, versions) -> {
                        String latest = published.stream().map(f -> byId.get(f.releaseId))
                                .filter(r -> r.image.equals(image) && !r.revoked())
                                .max(Comparator.comparing(r -> r.createdAt)).map(r -> r.version).orElse(null);
                        views.add(new ImageView(image, versions.size(), latest));
                    });
                    views.sort(Comparator.comparing(ImageView::image));
                    return views;
                }));
    }

    Uni<List<VersionView>> versions(String image, String state) {
        if (state != null && !VERSION_STATES.contains(state)) {
            return Uni.createFrom().failure(new RegistryProblem(Status.BAD_REQUEST, "?state= must be one of " + String.join(", ", VERSION_STATES)));
        }
        return ReleaseRecord.<ReleaseRecord>list("image = ?1 order by createdAt desc", image).chain(releases -> {
            if (releases.isEmpty()) {
                return Uni.createFrom().failure(unknownImage(image));
            }
            return FormatRecord.<FormatRecord>list("releaseId in ?1", releases.stream().map(r -> r.id).toList()).map(formats -> releases.stream()
                    .map(r -> view(r, formats.stream().filter(f -> f.releaseId.equals(r.id)).toList()))
                    .filter(v -> state == null || v.state().equals(state))
                    .toList());
        });
    }

    Uni<VersionView> version(String image, String version) {
        return release(image, version).chain(r -> FormatRecord.<FormatRecord>list("releaseId", r.id).map(formats -> view(r, formats)));
    }

    Uni<LookupView> lookup(String image, String version, String channel, String format) {
        if ((version == null) == (channel == null)) {
            return Uni.createFrom().failure(new RegistryProblem(Status.BAD_REQUEST, "give exactly one of ?version= or ?channel="));
        }
        if (format == null || !KilnFile.ALL_FORMATS.contains(format)) {
            return Uni.createFrom().failure(new RegistryProblem(Status.BAD_REQUEST, "?format= must be one of " + String.join(", ", KilnFile.ALL_FORMATS)));
        }
        Uni<String> resolved = channel == null ? Uni.createFrom().item(version)
                : ChannelRecord.<ChannelRecord>find("image = ?1 and name = ?2", image, channel).firstResult().map(c -> {
                    if (c == null) {
                        throw new RegistryProblem(Status.NOT_FOUND, "image " + image + " has no channel '" + channel + "'; promote a version to it first");
                    }
                    return c.version;
                });
        return resolved.chain(v -> release(image, v).chain(r -> {
            if (r.revoked()) {
                return Uni.createFrom().failure(new RegistryProblem(Status.GONE, image + " " + v + " was revoked: " + r.revokedReason
                        + (channel == null ? "" : "; promote another version to channel '" + channel + "'")));
            }
            return FormatRecord.<FormatRecord>find("releaseId = ?1 and format = ?2", r.id, format).firstResult().chain(f -> {
                if (f == null || f.state != State.PUBLISHED) {
                    throw new RegistryProblem(Status.NOT_FOUND, image + " " + v + " has no published " + format
                            + (f == null ? "" : " (it is " + f.state.name().toLowerCase() + ")"));
                }
                return Rebuilds.latestVerdict(r.id).map(rebuild -> new LookupView(image, v, format, channel, f.artifactLocation, f.sha256,
                        f.size, f.virtualSize, f.rawSha256, r.commit, rebuild == null ? null
                        : new Views.RebuildVerdict(rebuild.id, rebuild.verdict, rebuild.completedAt, rebuild.reportLocation)));
            });
        }));
    }

    Uni<List<ChannelView>> channels(String image) {
        return ChannelRecord.<ChannelRecord>list("image = ?1 order by name", image)
                .map(channels -> channels.stream().map(c -> new ChannelView(c.image, c.name, c.version, c.updatedAt)).toList());
    }

    /** Points a channel at a version that is published and not revoked. */
    Uni<ChannelView> promote(String image, String channel, String version) {
        if (!ChannelMoved.isChannelName(channel)) {
            return Uni.createFrom().failure(new RegistryProblem(Status.BAD_REQUEST, "a channel name is 1-63 characters of a-z, 0-9, '.', '_', '-'"));
        }
        if (version == null || version.isBlank()) {
            return Uni.createFrom().failure(new RegistryProblem(Status.BAD_REQUEST, "the body must name the version: {\"version\": \"0.1.0\"}"));
        }
        return release(image, version).chain(r -> {
            if (r.revoked()) {
                return Uni.createFrom().failure(new RegistryProblem(Status.CONFLICT, image + " " + version + " is revoked (" + r.revokedReason + ") and cannot be promoted"));
            }
            return FormatRecord.count("releaseId = ?1 and state = ?2", r.id, State.PUBLISHED).chain(published -> {
                if (published == 0) {
                    return Uni.createFrom().failure(new RegistryProblem(Status.CONFLICT, image + " " + version + " has no published format yet"));
                }
                return ChannelRecord.<ChannelRecord>find("image = ?1 and name = ?2", image, channel).firstResult().chain(c -> {
                    ChannelRecord record = c == null ? new ChannelRecord() : c;
                    String previous = c == null ? null : c.version;
                    record.image = image;
                    record.name = channel;
                    record.version = version;
                    record.updatedAt = OffsetDateTime.now();
                    Uni<ChannelRecord> saved = record.persist();
                    if (version.equals(previous)) {
                        return saved; // already there: no move to announce
                    }
                    ChannelMoved moved = new ChannelMoved(r.asRelease(), channel, previous, record.updatedAt.toInstant().toEpochMilli());
                    return saved.call(() -> OutboxEntry.of(moved, moved.key() + "@" + moved.movedAt()).persist());
                }).map(c -> new ChannelView(c.image, c.name, c.version, c.updatedAt));
            });
        });
    }

    Uni<VersionView> revoke(String image, String version, String reason) {
        if (reason == null || reason.isBlank()) {
            return Uni.createFrom().failure(new RegistryProblem(Status.BAD_REQUEST, "a revocation needs a reason: {\"reason\": \"CVE-2026-1234 in openssl\"}"));
        }
        if (reason.length() > MAX_REASON_CHARS) {
            return Uni.createFrom().failure(new RegistryProblem(Status.BAD_REQUEST, "a revocation reason is at most " + MAX_REASON_CHARS
                    + " characters (it is shown with every refused lookup); link to the advisory for the rest"));
        }
        return release(image, version).chain(r -> {
            Uni<?> announced = Uni.createFrom().voidItem();
            if (!r.revoked()) {
                r.revokedReason = reason;
                r.revokedAt = OffsetDateTime.now();
                VersionRevoked revoked = new VersionRevoked(r.asRelease(), reason, r.revokedAt.toInstant().toEpochMilli());
                announced = OutboxEntry.of(revoked, revoked.key()).persist();
            }
            return announced.chain(() -> FormatRecord.<FormatRecord>list("releaseId", r.id)).map(formats -> view(r, formats));
        });
    }

    private Uni<ReleaseRecord> release(String image, String version) {
        return ReleaseRecord.<ReleaseRecord>find("image = ?1 and version = ?2", image, version).firstResult().chain(r -> r != null
                ? Uni.createFrom().item(r)
                : ReleaseRecord.count("image", image).chain(n -> Uni.createFrom().failure(n == 0 ? unknownImage(image)
                        : new RegistryProblem(Status.NOT_FOUND, "image " + image + " has no version '" + version + "'"))));
    }

    private static RegistryProblem unknownImage(String image) {
        return new RegistryProblem(Status.NOT_FOUND, "no image named '" + image + "' is in the registry; images appear when their first release is tagged");
    }

    private VersionView view(ReleaseRecord r, List<FormatRecord> formats) {
        List<FormatView> views = formats.stream().sorted(Comparator.comparing(f -> KilnFile.ALL_FORMATS.indexOf(f.format)))
                .map(f -> new FormatView(f.format, f.state.name(), f.artifactLocation, f.sha256, f.size, f.virtualSize, f.rawSha256,
                        json.tree(f.provenance), json.tree(f.verification), f.reportLocation, json.tree(f.findings), f.failureStage, f.failureReason,
                        f.buildLog, f.builtAt, f.judgedAt, f.failedAt, f.publishedAt))
                .toList();
        return new VersionView(r.image, r.version, r.tag, r.commit, r.repository, state(r, formats), r.revokedReason, r.revokedAt, r.createdAt, views);
    }

    private static String state(ReleaseRecord r, List<FormatRecord> formats) {
        if (r.revoked()) {
            return "revoked";
        }
        if (formats.stream().anyMatch(f -> f.state == State.PUBLISHED)) {
            return "published";
        }
        if (formats.stream().anyMatch(f -> f.state == State.BUILT || f.state == State.VERIFIED || f.state == State.AWAITING_BUILD)) {
            return "verifying";
        }
        if (formats.stream().anyMatch(f -> f.state == State.REJECTED)) {
            return "rejected";
        }
        return formats.isEmpty() ? "building" : "failed";
    }

}
