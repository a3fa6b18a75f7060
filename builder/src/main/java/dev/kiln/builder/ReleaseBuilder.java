package dev.kiln.builder;

import dev.kiln.events.BuildFailed;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventMessages;
import dev.kiln.events.ImageRebuilt;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.RebuildRequested;
import dev.kiln.events.ReleaseTagged;
import dev.kiln.events.TransientRetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The builder's hop: ReleaseTagged in (consumer group "kiln-builder", so instances share releases and each is
 * built once), one ImageBuilt or BuildFailed per format out. One build at a time per instance: a build takes the
 * machine's cores. A payload that does not decode goes to the dead-letter topic and the consumer moves on.
 */
@ApplicationScoped
public class ReleaseBuilder {
    private static final Logger LOG = Logger.getLogger(ReleaseBuilder.class);

    /** One build or rebuild at a time per instance: each takes the machine's cores. */
    private final Object buildSlot = new Object();
    private final ReleaseBuild build;
    private final ArtifactStore store;
    private final String instance;
    private final Emitter<String> events;
    private final URI source;
    private final MeterRegistry metrics;
    private final BuilderConfig config;

    ReleaseBuilder(BuilderConfig config, ArtifactStore store, @Channel("build-results") Emitter<String> events, MeterRegistry metrics) {
        Map<String, String> tools = ToolVersions.read();
        LOG.infof("builder tools: %s", tools);
        this.build = new ReleaseBuild(() -> BuildSteps.inOrder(store), store, config, tools);
        this.store = store;
        this.instance = config.instance().orElseGet(ReleaseBuilder::hostInstance);
        this.events = events;
        this.source = URI.create(config.eventSource());
        this.metrics = metrics;
        this.config = config;
    }

    /** At start-up, before any record (the bean would otherwise be made only when the first one comes). */
    void sweepOnStart(@Observes StartupEvent start) {
        sweepAbandoned(config);
    }

    /** What a builder killed mid-build left (its build sandbox died with it: bubblewrap's own process namespace). */
    private static void sweepAbandoned(BuilderConfig config) {
        try {
            List<java.nio.file.Path> removed = new java.util.ArrayList<>(dev.kiln.disk.DirectoryClaim.sweep(config.workspaces(), ""));
            java.nio.file.Path tmp = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
            removed.addAll(dev.kiln.disk.DirectoryClaim.sweep(tmp, PackerBuildStep.TMP_PREFIX));
            removed.addAll(dev.kiln.disk.DirectoryClaim.sweep(tmp, KilnRoles.TMP_PREFIX));
            if (!removed.isEmpty()) {
                LOG.warnf("removed %d workspace(s) of builds that ended with their builder: %s", removed.size(), removed);
            }
        } catch (java.io.IOException e) {
            LOG.warnf("could not sweep abandoned workspaces: %s", e.getMessage());
        }
    }

    @Incoming("release-tagged")
    @Blocking
    public void onReleaseTagged(String payload) throws InterruptedException {
        // A payload that does not decode is the event's fault: it goes to the dead-letter topic. Anything else waits.
        ReleaseTagged tagged = EventCodec.decode(ReleaseTagged.class, payload);
        LOG.infof("building %s %s from %s at %s", tagged.release().image(), tagged.release().version(),
                tagged.release().repository(), tagged.release().commit());
        List<KilnEvent> results;
        // Each format's ImageBuilt goes out the moment the format is stored, so its verification overlaps the making of
        // the others (the raw disk boots while the VMDK compresses).
        Map<String, java.util.concurrent.CompletableFuture<Void>> announced = new java.util.concurrent.ConcurrentHashMap<>();
        synchronized (buildSlot) {
            results = metrics.timer("kiln.builder.build").record(() -> build.run(tagged,
                    built -> announced.put(built.format(), EventMessages.send(events, built, source, Clock.systemUTC()))));
        }
        results.forEach(event -> metrics.counter("kiln.builder.formats", "outcome", event instanceof BuildFailed ? "failed" : "built").increment());
        // The ReleaseTagged is acknowledged only when every result is on the broker: a crash before that rebuilds, and a
        // broker that is away is waited for (what it did not acknowledge is sent again; consumers take a duplicate once,
        // by its id, and the registry takes a format's same disk again as a redelivery). An announced format the broker
        // did not take is sent again as the final list has it (linking the whole build log).
        List<KilnEvent> rest = results.stream().filter(event -> !(event instanceof dev.kiln.events.ImageBuilt built)
                || !acknowledged(announced.get(built.format()))).toList();
        EventMessages.sendEach("sending the results of " + tagged.release().image() + " " + tagged.release().version(),
                events, rest, source, Clock.systemUTC());
    }

    private static boolean acknowledged(java.util.concurrent.CompletableFuture<Void> send) {
        if (send == null) {
            return false;
        }
        try {
            send.join();
            return true;
        } catch (java.util.concurrent.CompletionException e) {
            LOG.warnf("an ImageBuilt sent early was not acknowledged (%s); it is sent again", e.getMessage());
            return false;
        }
    }

    /** kiln rebuild: the same tag from scratch, compared with what the registry recorded; one ImageRebuilt out. */
    @Incoming("rebuild-requested")
    @Blocking
    public void onRebuildRequested(String payload) throws InterruptedException {
        RebuildRequested request = EventCodec.decode(RebuildRequested.class, payload);
        LOG.infof("rebuilding %s %s (rebuild %s) to compare with the release", request.release().image(), request.release().version(), request.rebuildId());
        ImageRebuilt result;
        synchronized (buildSlot) {
            result = metrics.timer("kiln.builder.rebuild").record(() -> build.rebuild(request, BuildSteps.forRebuild(store), instance));
        }
        metrics.counter("kiln.builder.rebuilds", "verdict", result.verdict()).increment();
        LOG.infof("rebuild %s of %s %s: %s", request.rebuildId(), request.release().image(), request.release().version(), result.verdict());
        TransientRetry.untilDone("sending rebuild " + request.rebuildId() + "'s verdict",
                () -> EventMessages.send(events, result, source, Clock.systemUTC()).join());
    }

    private static String hostInstance() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName() + "/" + ProcessHandle.current().pid();
        } catch (java.io.IOException e) {
            return "builder/" + ProcessHandle.current().pid();
        }
    }
}
