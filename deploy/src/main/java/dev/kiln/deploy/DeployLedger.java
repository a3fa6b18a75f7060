package dev.kiln.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.events.ChannelMoved;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.ImagePublished;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Release;
import dev.kiln.events.VersionRevoked;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The deploy service's record in PostgreSQL (schema {@code deploy}): every state change and the event that tells of it
 * are committed in one transaction (the outbox), so a crash never leaves an effect without its event or the reverse.
 */
@ApplicationScoped
public class DeployLedger {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AgroalDataSource db;

    DeployLedger(AgroalDataSource db) {
        this.db = db;
    }

    public record DeploymentRow(DeploymentSpec spec, String declarationId, String runningVersion, String failedVersion,
                                String pendingCause, String pendingTrigger, boolean deleted) {
    }

    public record PublishedRow(Release release, String format, String location, String sha256) {
    }

    public record RolloutRow(long id, String deployment, String version, String previousVersion, String trigger, String causeId,
                             String state, String reason, Instant startedAt, Instant finishedAt) {
    }

    public record InstanceRow(String id, String deployment, String version, long rolloutId, String state, Path directory,
                              int forwardedPort, Instant startedAt, Long healthyMillis, Instant retiredAt, String retireReason) {
        InstanceTarget.Instance handle() {
            return new InstanceTarget.Instance(id, directory, forwardedPort);
        }
    }

    public record OutboxRow(long id, String payload, EventType type) {
    }

    @FunctionalInterface
    interface Work<T> {
        T in(Connection c) throws SQLException;
    }

    <T> T tx(Work<T> work) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.in(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new LedgerUnavailable(e);
        }
    }

    /** PostgreSQL is away or refused a statement: transient for the caller, which retries. */
    static final class LedgerUnavailable extends RuntimeException {
        LedgerUnavailable(SQLException e) {
            super("the deploy ledger (PostgreSQL) failed: " + e.getMessage(), e);
        }
    }

    // ---- the registry's events, each applied once ----

    /** Applies an incoming event's effect once: false when its id was handled before (a redelivery). */
    boolean handleOnce(String eventId, EventType type, Work<Void> effect) {
        return tx(c -> {
            try (PreparedStatement s = c.prepareStatement("insert into handled_event (id, type) values (?, ?) on conflict do nothing")) {
                s.setString(1, eventId);
                s.setString(2, type.type());
                if (s.executeUpdate() == 0) {
                    return false;
                }
            }
            effect.in(c);
            return true;
        });
    }

    /** Whether the event with this id was handled (its effect committed). */
    boolean handled(String eventId) {
        return !tx(c -> query(c, "select 1 from handled_event where id = ?", r -> r.getInt(1), eventId)).isEmpty();
    }

    static void recordPublished(Connection c, ImagePublished published) throws SQLException {
        update(c, "insert into published (image, version, format, location, sha256, release) values (?, ?, ?, ?, ?, ?) on conflict do nothing",
                published.release().image(), published.release().version(), published.format(), published.artifact().location(),
                published.artifact().sha256(), json(published.release()));
    }

    static void recordChannelMove(Connection c, ChannelMoved moved) throws SQLException {
        update(c, "insert into channel_move (image, channel, version, moved_at) values (?, ?, ?, ?) on conflict do nothing",
                moved.release().image(), moved.channel(), moved.release().version(), moved.movedAt());
    }

    static void recordRevoked(Connection c, VersionRevoked revoked) throws SQLException {
        update(c, "insert into revoked (image, version, reason) values (?, ?, ?) on conflict do nothing",
                revoked.release().image(), revoked.release().version(), revoked.reason());
    }

    /** Tells the image's deployments (those that run {@code format}, when given) that what they should run may have changed, and why. */
    static void wakeDeploymentsOf(Connection c, String image, String format, String trigger, String causeId) throws SQLException {
        update(c, "update deployment set pending_cause = ?, pending_trigger = ? where image = ? and (? :: text is null or format = ?) and not deleted",
                causeId, trigger, image, format, format);
    }

    // ---- declarations ----

    /** Declares or changes a deployment; false when it was declared so already (a repeated PUT, the same file at a restart). */
    boolean declare(DeploymentSpec spec, String declarationId) {
        return tx(c -> update(c, """
                    insert into deployment (name, image, format, spec, declaration_id, pending_cause, pending_trigger) values (?, ?, ?, ?, ?, ?, 'declared')
                    on conflict (name) do update set image = excluded.image, format = excluded.format, spec = excluded.spec, declaration_id = excluded.declaration_id,
                      pending_cause = excluded.pending_cause, pending_trigger = 'declared', failed_version = null, deleted = false
                    where deployment.spec <> excluded.spec or deployment.deleted""",
                    spec.name(), spec.image(), spec.format(), spec.json(), declarationId, declarationId) > 0);
    }

    /** After stop-instances-on-exit: nothing runs, and the next start launches the fleet again. */
    void finishRunningAsStopped(String name) {
        tx(c -> {
            update(c, "update rollout set state = 'failed', reason = 'the deploy service stopped (stop-instances-on-exit)', finished_at = now()"
                    + " where deployment = ? and state = 'running'", name);
            update(c, "update deployment set running_version = null, pending_cause = declaration_id, pending_trigger = 'declared' where name = ?", name);
            return null;
        });
    }

    boolean markDeleted(String name, String requestId) {
        return tx(c -> update(c, "update deployment set deleted = true, pending_cause = ?, pending_trigger = 'deleted' where name = ?",
                requestId, name) > 0);
    }

    void forget(String name) {
        tx(c -> update(c, "delete from deployment where name = ? and deleted", name));
    }

    List<DeploymentRow> deployments() {
        return tx(c -> query(c, "select * from deployment order by name", DeployLedger::deploymentRow));
    }

    Optional<DeploymentRow> deployment(String name) {
        return tx(c -> query(c, "select * from deployment where name = ?", DeployLedger::deploymentRow, name)).stream().findFirst();
    }

    void clearPending(String name, String cause) {
        tx(c -> update(c, "update deployment set pending_cause = null, pending_trigger = null where name = ? and pending_cause = ?", name, cause));
    }

    // ---- what the registry published ----

    Optional<PublishedRow> published(String image, String version, String format) {
        return tx(c -> query(c, "select * from published where image = ? and version = ? and format = ?", DeployLedger::publishedRow,
                image, version, format)).stream().findFirst();
    }

    /** Versions of the image published in the format and not revoked. */
    List<String> goodVersions(String image, String format) {
        return tx(c -> query(c, """
                select version from published p where image = ? and format = ?
                  and not exists (select 1 from revoked r where r.image = p.image and r.version = p.version)""",
                r -> r.getString(1), image, format));
    }

    /** The versions a channel pointed at, newest move first. */
    List<String> channelHistory(String image, String channel) {
        return tx(c -> query(c, "select version from channel_move where image = ? and channel = ? order by moved_at desc",
                r -> r.getString(1), image, channel));
    }

    /** The image's revoked versions and why. */
    java.util.Map<String, String> revocations(String image) {
        return tx(c -> query(c, "select version, reason from revoked where image = ?", r -> java.util.Map.entry(r.getString(1), r.getString(2)), image))
                .stream().collect(java.util.stream.Collectors.toMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue));
    }

    // ---- rollouts and instances ----

    Optional<RolloutRow> runningRollout(String deployment) {
        return tx(c -> query(c, "select * from rollout where deployment = ? and state = 'running'", DeployLedger::rolloutRow, deployment))
                .stream().findFirst();
    }

    List<RolloutRow> rollouts(String deployment) {
        return tx(c -> query(c, "select * from rollout where deployment = ? order by id", DeployLedger::rolloutRow, deployment));
    }

    /** Records a rollout and its DeploymentStarted; the trigger it answers ({@code consumedCause}) is no longer pending. */
    long startRollout(String deployment, String version, String previous, String trigger, String causeId, String consumedCause, KilnEvent started) {
        return tx(c -> {
            long id;
            try (PreparedStatement s = c.prepareStatement("""
                    insert into rollout (deployment, version, previous_version, trigger, cause_id, state) values (?, ?, ?, ?, ?, 'running')
                    returning id""")) {
                bind(s, deployment, version, previous, trigger, causeId);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    id = r.getLong(1);
                }
            }
            update(c, "update deployment set pending_cause = null, pending_trigger = null where name = ? and pending_cause is not distinct from ?",
                    deployment, consumedCause);
            outbox(c, started);
            return id;
        });
    }

    void finishRollout(long id, String deployment, boolean completed, String reason, String runningVersion, String failedVersion, KilnEvent event) {
        tx(c -> {
            update(c, "update rollout set state = ?, reason = ?, finished_at = now() where id = ?", completed ? "completed" : "failed", reason, id);
            update(c, "update deployment set running_version = ?, failed_version = ? where name = ?", runningVersion, failedVersion, deployment);
            outbox(c, event);
            return null;
        });
    }

    /** A new instance's row, before its machine exists: a service that dies while launching it finds and removes it. */
    InstanceRow newInstance(String deployment, String version, long rolloutId, Path instancesRoot, int forwardedPort) {
        return tx(c -> {
            long n = query(c, "select nextval('instance_number')", r -> r.getLong(1)).get(0);
            String id = deployment + "-" + n;
            update(c, "insert into instance (id, deployment, version, rollout_id, state, directory, forwarded_port) values (?, ?, ?, ?, 'starting', ?, ?)",
                    id, deployment, version, rolloutId, instancesRoot.resolve(id).toString(), forwardedPort);
            return query(c, "select * from instance where id = ?", DeployLedger::instanceRow, id).get(0);
        });
    }

    void instanceHealthy(String id, long healthyMillis, KilnEvent launched) {
        tx(c -> {
            update(c, "update instance set state = 'healthy', healthy_millis = ? where id = ?", healthyMillis, id);
            outbox(c, launched);
            return null;
        });
    }

    void instanceRetired(String id, String reason, KilnEvent retired) {
        tx(c -> {
            update(c, "update instance set state = 'retired', retired_at = now(), retire_reason = ? where id = ?", reason, id);
            if (retired != null) {
                outbox(c, retired);
            }
            return null;
        });
    }

    /** The deployment's instances that are not retired, oldest first. */
    List<InstanceRow> liveInstances(String deployment) {
        return tx(c -> query(c, "select * from instance where deployment = ? and state <> 'retired' order by started_at, id",
                DeployLedger::instanceRow, deployment));
    }

    /** The digests of the artifacts that instances which are not retired run on (their overlays' backing files). */
    java.util.Set<String> artifactsInUse() {
        return new java.util.HashSet<>(tx(c -> query(c, """
                select distinct p.sha256 from instance i join deployment d on d.name = i.deployment
                  join published p on p.image = d.image and p.version = i.version and p.format = d.format
                where i.state <> 'retired'""", r -> r.getString(1))));
    }

    List<InstanceRow> instances(String deployment) {
        return tx(c -> query(c, "select * from instance where deployment = ? order by started_at, id", DeployLedger::instanceRow, deployment));
    }

    // ---- the outbox ----

    private static void outbox(Connection c, KilnEvent event) throws SQLException {
        update(c, "insert into outbox (type, payload) values (?, ?)", EventType.of(event).type(), EventCodec.encode(event));
    }

    List<OutboxRow> unsent() {
        return tx(c -> query(c, "select id, type, payload from outbox where sent_at is null order by id limit 100",
                r -> new OutboxRow(r.getLong(1), r.getString(3), EventType.ofType(r.getString(2)).orElseThrow())));
    }

    void sent(long id) {
        tx(c -> update(c, "update outbox set sent_at = now() where id = ?", id));
    }

    // ---- rows ----

    private static DeploymentRow deploymentRow(ResultSet r) throws SQLException {
        return new DeploymentRow(DeploymentSpec.fromJson(r.getString("spec")), r.getString("declaration_id"), r.getString("running_version"),
                r.getString("failed_version"), r.getString("pending_cause"), r.getString("pending_trigger"), r.getBoolean("deleted"));
    }

    private static PublishedRow publishedRow(ResultSet r) throws SQLException {
        try {
            return new PublishedRow(JSON.readValue(r.getString("release"), Release.class), r.getString("format"), r.getString("location"),
                    r.getString("sha256"));
        } catch (JsonProcessingException e) {
            throw new SQLException("a recorded release does not read back: " + e.getMessage(), e);
        }
    }

    private static RolloutRow rolloutRow(ResultSet r) throws SQLException {
        Timestamp finished = r.getTimestamp("finished_at");
        return new RolloutRow(r.getLong("id"), r.getString("deployment"), r.getString("version"), r.getString("previous_version"),
                r.getString("trigger"), r.getString("cause_id"), r.getString("state"), r.getString("reason"),
                r.getTimestamp("started_at").toInstant(), finished == null ? null : finished.toInstant());
    }

    private static InstanceRow instanceRow(ResultSet r) throws SQLException {
        long healthy = r.getLong("healthy_millis");
        Long healthyMillis = r.wasNull() ? null : healthy;
        return new InstanceRow(r.getString("id"), r.getString("deployment"), r.getString("version"), r.getLong("rollout_id"), r.getString("state"),
                Path.of(r.getString("directory")), r.getInt("forwarded_port"), r.getTimestamp("started_at").toInstant(),
                healthyMillis, r.getTimestamp("retired_at") == null ? null : r.getTimestamp("retired_at").toInstant(), r.getString("retire_reason"));
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet r) throws SQLException;
    }

    private static <T> List<T> query(Connection c, String sql, RowReader<T> reader, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            try (ResultSet r = s.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (r.next()) {
                    rows.add(reader.read(r));
                }
                return rows;
            }
        }
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            return s.executeUpdate();
        }
    }

    private static void bind(PreparedStatement s, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            s.setObject(i + 1, args[i]);
        }
    }
}
