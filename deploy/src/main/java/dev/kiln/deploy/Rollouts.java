package dev.kiln.deploy;

import dev.kiln.events.DeploymentCompleted;
import dev.kiln.events.DeploymentFailed;
import dev.kiln.events.DeploymentStarted;
import dev.kiln.events.DiskFormat;
import dev.kiln.events.InstanceLaunched;
import dev.kiln.events.InstanceRetired;
import dev.kiln.events.Release;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.Priority;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Makes each deployment's fleet run what it should, turn-and-burn: a new version's instances start beside the running
 * ones, and only when all of them pass their health check are the old ones retired; a new instance that fails keeps
 * the old fleet (the new instances are removed) and the rollout fails with the reason. One worker thread does every
 * deployment in turn, so two rollouts of one fleet never overlap; a rollout under way when the service stopped is
 * resumed where it was (its instances outlive the service).
 */
@ApplicationScoped
public class Rollouts {
    private static final Logger LOG = Logger.getLogger(Rollouts.class);
    private final DeployLedger ledger;
    private final EventRelay relay;
    private final DeployConfig config;
    private final InstanceTarget target;
    private final PublishedImages images;
    private final MeterRegistry metrics;
    private final Semaphore work = new Semaphore(0);
    private volatile boolean running;
    private Thread thread;

    Rollouts(DeployLedger ledger, EventRelay relay, DeployConfig config, MeterRegistry metrics) {
        this.ledger = ledger;
        this.relay = relay;
        this.config = config;
        this.metrics = metrics;
        this.target = new LocalQemuTarget(config.accelerator(), config.instanceMemoryMib());
        this.images = new PublishedImages(config.images());
    }

    /** Called once the declarations file is read (DeclaredDeployments). */
    synchronized void start() {
        if (thread == null) {
            running = true;
            thread = new Thread(this::loop, "kiln-rollouts");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** What a deployment should run may have changed. */
    void wake() {
        work.release();
    }

    void stop(@Observes @Priority(10) ShutdownEvent stop) throws InterruptedException, IOException {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            t.join(30_000);
        }
        if (config.stopInstancesOnExit()) {
            List<DeployLedger.DeploymentRow> deployments = ledger.deployments();
            List<DeployLedger.InstanceRow> fleet = deployments.stream().flatMap(d -> ledger.liveInstances(d.spec().name()).stream()).toList();
            List<String> retired = retireTogether(target, fleet.stream().map(DeployLedger.InstanceRow::handle).toList(), config.stopGrace());
            for (DeployLedger.InstanceRow i : fleet) {
                if (retired.contains(i.id())) {
                    // No event: the fleet is down with its controller (stop-instances-on-exit) and comes back at the next start.
                    ledger.instanceRetired(i.id(), "the deploy service stopped (kiln.deploy.stop-instances-on-exit)", null);
                }
            }
            deployments.forEach(d -> ledger.finishRunningAsStopped(d.spec().name()));
        }
    }

    /**
     * Retires the instances at once, each with the whole grace, and returns the ids of those retired. Together, not one
     * after another: a guest still booting ignores ACPI and uses all of its grace, and whoever stops this service waits
     * only so long (./kiln up and the e2e suite give it 60 s) before it kills it with the rest of the fleet still running.
     */
    static List<String> retireTogether(InstanceTarget target, List<InstanceTarget.Instance> instances, Duration grace) throws InterruptedException {
        if (instances.isEmpty()) {
            return List.of();
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(instances.size());
        try {
            List<java.util.concurrent.Future<String>> retiring = new ArrayList<>();
            for (InstanceTarget.Instance instance : instances) {
                retiring.add(pool.submit(() -> {
                    target.retire(instance, grace);
                    return instance.id();
                }));
            }
            List<String> retired = new ArrayList<>();
            for (int n = 0; n < instances.size(); n++) {
                try {
                    retired.add(retiring.get(n).get());
                } catch (java.util.concurrent.ExecutionException e) {
                    LOG.errorf("instance %s could not be retired: %s", instances.get(n).id(), e.getCause().getMessage());
                }
            }
            return retired;
        } finally {
            pool.shutdownNow();
        }
    }

    private void loop() {
        while (running) {
            try {
                for (DeployLedger.DeploymentRow d : ledger.deployments()) {
                    if (!running) {
                        return;
                    }
                    try {
                        reconcile(d);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException | IOException e) {
                        LOG.warnf(e, "deployment %s: %s; trying again", d.spec().name(), e.getMessage());
                    }
                }
                work.tryAcquire(5, TimeUnit.SECONDS);
                work.drainPermits();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("the deployments could not be read (%s); trying again", e.getMessage());
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    DesiredVersion.Decision decide(DeploymentSpec spec) {
        boolean followsChannel = !spec.pinned() && !spec.channel().equals(DeploymentSpec.LATEST);
        return DesiredVersion.of(spec, new DesiredVersion.ImageHistory(ledger.goodVersions(spec.image(), spec.format()),
                ledger.revocations(spec.image()), followsChannel ? ledger.channelHistory(spec.image(), spec.channel()) : List.of()));
    }

    void reconcile(DeployLedger.DeploymentRow d) throws IOException, InterruptedException {
        DeploymentSpec spec = d.spec();
        String name = spec.name();
        if (d.deleted()) {
            for (DeployLedger.InstanceRow i : ledger.liveInstances(name)) {
                retire(spec, i, "deployment " + name + " was deleted", d.pendingCause() == null ? d.declarationId() : d.pendingCause());
            }
            ledger.forget(name);
            pruneImages();
            LOG.infof("deployment %s deleted; its instances are retired", name);
            return;
        }
        Optional<DeployLedger.RolloutRow> underWay = ledger.runningRollout(name);
        if (underWay.isPresent()) {
            LOG.infof("deployment %s: carrying on with the rollout of %s", name, underWay.get().version());
            carryOut(d, underWay.get(), true);
            return;
        }
        List<DeployLedger.InstanceRow> live = ledger.liveInstances(name);
        if (d.pendingCause() == null && (d.runningVersion() == null ? live.isEmpty() : whole(spec, live, d.runningVersion()))) {
            // Nothing was said since the last pass and the fleet is as it was left: what it should run cannot have changed.
            return;
        }
        String cause = d.pendingCause() != null ? d.pendingCause() : d.declarationId();
        DesiredVersion.Decision decision = decide(spec);
        if (decision.stopReason() != null) {
            if (!live.isEmpty()) {
                stopFleet(d, live, decision.stopReason(), d.pendingTrigger() != null ? d.pendingTrigger() : "declared", cause);
            } else if (d.pendingCause() != null) {
                ledger.clearPending(name, d.pendingCause());
            }
            return;
        }
        if (decision.version() == null) {
            if (d.pendingCause() != null) {
                LOG.infof("deployment %s waits: %s", name, decision.waitReason());
                ledger.clearPending(name, d.pendingCause());
            }
            return;
        }
        String version = decision.version();
        boolean whole = whole(spec, live, version);
        if (version.equals(d.runningVersion()) && whole) {
            if (d.pendingCause() != null) {
                ledger.clearPending(name, d.pendingCause());
            }
            return;
        }
        if (version.equals(d.failedVersion()) && !"declared".equals(d.pendingTrigger())) {
            // A failed version is tried again when someone declares the deployment again, not on every event of its image.
            if (d.pendingCause() != null) {
                ledger.clearPending(name, d.pendingCause());
            }
            return;
        }
        // Unasked, only a fleet that lost a machine is rolled out again: a repair.
        String trigger = d.pendingTrigger() != null ? d.pendingTrigger() : version.equals(d.runningVersion()) ? "repair" : "declared";
        Release release = ledger.published(spec.image(), version, spec.format()).orElseThrow().release();
        long id = ledger.startRollout(name, version, d.runningVersion(), trigger, cause, d.pendingCause(),
                new DeploymentStarted(release, name, spec.format(), spec.instances(), d.runningVersion(), trigger, cause, System.currentTimeMillis()));
        relay.nudge();
        LOG.infof("deployment %s: rolling out %s (%s, was %s; cause %s)", name, version, trigger, d.runningVersion(), cause);
        carryOut(d, ledger.runningRollout(name).filter(r -> r.id() == id).orElseThrow(), false);
    }

    /** Every instance runs {@code version}, is healthy, its machine is there, and there are as many as declared. */
    private boolean whole(DeploymentSpec spec, List<DeployLedger.InstanceRow> live, String version) {
        return live.size() == spec.instances() && live.stream().allMatch(i -> i.version().equals(version) && i.state().equals("healthy")
                && target.probe(i.handle(), spec.health()).state() != InstanceTarget.Probe.State.GONE);
    }

    private void carryOut(DeployLedger.DeploymentRow d, DeployLedger.RolloutRow rollout, boolean resumed) throws IOException, InterruptedException {
        DeploymentSpec spec = d.spec();
        String name = spec.name();
        DeployLedger.PublishedRow published = ledger.published(spec.image(), rollout.version(), spec.format()).orElseThrow();
        Release release = published.release();
        java.nio.file.Path artifact;
        try {
            artifact = images.local(published);
        } catch (PublishedImages.UnusableArtifact e) {
            fail(d, rollout, release, e.getMessage());
            return;
        }
        List<DeployLedger.InstanceRow> mine = new ArrayList<>(ledger.liveInstances(name).stream()
                .filter(i -> i.rolloutId() == rollout.id()).toList());
        if (resumed) {
            // Instances whose machine is gone (the service stopped while launching them) are removed and launched again.
            for (DeployLedger.InstanceRow i : List.copyOf(mine)) {
                if (target.probe(i.handle(), spec.health()).state() == InstanceTarget.Probe.State.GONE) {
                    retire(spec, i, "its machine was not running when the deploy service resumed the rollout", rollout.causeId());
                    mine.remove(i);
                }
            }
        }
        String qemuFormat = DiskFormat.of(spec.format()).qemuFormat();
        while (mine.size() < spec.instances()) {
            DeployLedger.InstanceRow row = ledger.newInstance(name, rollout.version(), rollout.id(), config.instances().toAbsolutePath(), freePort());
            mine.add(row);
            try {
                target.launch(row.handle(), artifact, qemuFormat, spec.health());
                LOG.infof("deployment %s: launched %s (%s)", name, row.id(), rollout.version());
            } catch (IOException e) {
                fail(d, rollout, release, "instance " + row.id() + " could not be launched: " + e.getMessage());
                return;
            }
        }
        Duration timeout = spec.health().timeoutDuration();
        while (true) {
            boolean allHealthy = true;
            for (DeployLedger.InstanceRow i : mine) {
                if (i.state().equals("healthy")) {
                    continue;
                }
                InstanceTarget.Probe probe = target.probe(i.handle(), spec.health());
                long millis = Duration.between(i.startedAt(), Instant.now()).toMillis();
                switch (probe.state()) {
                    case HEALTHY -> {
                        ledger.instanceHealthy(i.id(), millis, new InstanceLaunched(release, name, i.id(), target.name(), millis, rollout.causeId()));
                        relay.nudge();
                        LOG.infof("deployment %s: %s is healthy after %d s", name, i.id(), millis / 1000);
                        mine.set(mine.indexOf(i), withState(i, "healthy"));
                    }
                    case GONE -> {
                        fail(d, rollout, release, "instance " + i.id() + " stopped before it was healthy: " + probe.detail());
                        return;
                    }
                    case STARTING -> {
                        allHealthy = false;
                        if (millis > timeout.toMillis()) {
                            fail(d, rollout, release, "instance " + i.id() + " did not pass its health check within " + timeout.toSeconds()
                                    + " s: " + probe.detail());
                            return;
                        }
                    }
                }
            }
            if (allHealthy) {
                break;
            }
            Thread.sleep(1000);
        }
        // Turn-and-burn: the new fleet is healthy; only now are the old instances retired.
        for (DeployLedger.InstanceRow old : ledger.liveInstances(name)) {
            if (old.rolloutId() != rollout.id()) {
                retire(spec, old, "replaced by " + rollout.version() + " (turn-and-burn)", rollout.causeId());
            }
        }
        long took = Duration.between(rollout.startedAt(), Instant.now()).toMillis();
        ledger.finishRollout(rollout.id(), name, true, null, rollout.version(), null,
                new DeploymentCompleted(release, name, mine.stream().map(DeployLedger.InstanceRow::id).toList(), took, rollout.causeId()));
        relay.nudge();
        pruneImages();
        metrics.counter("kiln.deploy.rollouts", "outcome", "completed").increment();
        LOG.infof("deployment %s runs %s on %s (rollout took %d s)", name, rollout.version(),
                mine.stream().map(DeployLedger.InstanceRow::id).toList(), took / 1000);
    }

    /** The rollout's new instances are removed; the fleet keeps what it ran. */
    private void fail(DeployLedger.DeploymentRow d, DeployLedger.RolloutRow rollout, Release release, String reason) throws IOException, InterruptedException {
        String name = d.spec().name();
        for (DeployLedger.InstanceRow i : ledger.liveInstances(name)) {
            if (i.rolloutId() == rollout.id()) {
                retire(d.spec(), i, "the rollout of " + rollout.version() + " failed: " + reason, rollout.causeId());
            }
        }
        String keeps = rollout.previousVersion();
        boolean oldFleetLeft = ledger.liveInstances(name).stream().anyMatch(i -> i.rolloutId() != rollout.id());
        ledger.finishRollout(rollout.id(), name, false, reason, oldFleetLeft ? keeps : null, rollout.version(),
                new DeploymentFailed(release, name, reason, oldFleetLeft ? keeps : null, rollout.causeId()));
        relay.nudge();
        pruneImages();
        metrics.counter("kiln.deploy.rollouts", "outcome", "failed").increment();
        LOG.errorf("deployment %s: the rollout of %s FAILED: %s; the fleet keeps %s", name, rollout.version(), reason,
                oldFleetLeft ? keeps : "nothing");
    }

    private void stopFleet(DeployLedger.DeploymentRow d, List<DeployLedger.InstanceRow> live, String reason, String trigger, String cause)
            throws IOException, InterruptedException {
        DeploymentSpec spec = d.spec();
        String version = d.runningVersion() != null ? d.runningVersion() : live.get(0).version();
        Release release = ledger.published(spec.image(), version, spec.format()).orElseThrow().release();
        long id = ledger.startRollout(spec.name(), version, version, trigger, cause, d.pendingCause(),
                new DeploymentStarted(release, spec.name(), spec.format(), spec.instances(), version, trigger, cause, System.currentTimeMillis()));
        for (DeployLedger.InstanceRow i : live) {
            retire(spec, i, "the fleet is stopped: " + reason, cause);
        }
        ledger.finishRollout(id, spec.name(), false, reason, null, null, new DeploymentFailed(release, spec.name(), "the fleet was stopped: " + reason, null, cause));
        relay.nudge();
        pruneImages();
        LOG.warnf("deployment %s stopped: %s", spec.name(), reason);
    }

    private void retire(DeploymentSpec spec, DeployLedger.InstanceRow instance, String reason, String cause) throws IOException, InterruptedException {
        target.retire(instance.handle(), config.stopGrace());
        Release release = ledger.published(spec.image(), instance.version(), spec.format()).map(DeployLedger.PublishedRow::release).orElseThrow();
        ledger.instanceRetired(instance.id(), reason, new InstanceRetired(release, spec.name(), instance.id(), reason, cause));
        relay.nudge();
        LOG.infof("deployment %s: retired %s (%s): %s", spec.name(), instance.id(), instance.version(), reason);
    }

    /** Local copies of artifacts no instance runs on any more are removed: a fleet's disk use follows what it runs. */
    private void pruneImages() {
        try {
            List<java.nio.file.Path> removed = images.prune(ledger.artifactsInUse());
            if (!removed.isEmpty()) {
                LOG.infof("removed local copies no instance uses: %s", removed.stream().map(p -> p.getFileName().toString()).toList());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("could not remove unused local copies: %s", e.getMessage());
        }
    }

    private static DeployLedger.InstanceRow withState(DeployLedger.InstanceRow i, String state) {
        return new DeployLedger.InstanceRow(i.id(), i.deployment(), i.version(), i.rolloutId(), state, i.directory(), i.forwardedPort(),
                i.startedAt(), i.healthyMillis(), i.retiredAt(), i.retireReason());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    InstanceTarget target() {
        return target;
    }
}
