package dev.kiln.builder;

import dev.kiln.disk.Deadline;
import dev.kiln.events.Sha256;
import dev.kiln.events.Artifact;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.ImageBuilt;
import dev.kiln.events.ImageRebuilt;
import dev.kiln.events.RebuildRequested;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.KilnFile;
import dev.kiln.events.Provenance;
import dev.kiln.events.ReleaseTagged;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs the stages of one release build and turns the outcome into events: an ImageBuilt per format made, a
 * BuildFailed (stage, reason, last log lines) per format not made. Whatever happens, every stage that ran is
 * cleaned up, the workspace goes, and the build log is stored first so the events can link to it.
 */
final class ReleaseBuild {
    private static final Logger LOG = Logger.getLogger(ReleaseBuild.class);

    private final Supplier<List<BuildStep>> steps;
    private final ArtifactStore store;
    private final BuilderConfig config;
    private final Map<String, String> tools;

    /** @param steps fresh stages for each build: a stage may hold what it must clean up */
    ReleaseBuild(Supplier<List<BuildStep>> steps, ArtifactStore store, BuilderConfig config, Map<String, String> tools) {
        this.steps = steps;
        this.store = store;
        this.config = config;
        this.tools = tools;
    }

    /** A build whose every event is sent at its end (the store step stores the formats). */
    List<KilnEvent> run(ReleaseTagged tagged) {
        return run(tagged, null);
    }

    /**
     * @param announce takes each format's ImageBuilt the moment the format is stored, while the build goes on (its
     *                 verification need not wait for the slowest format); the list returned still holds every
     *                 event, those announced included
     */
    List<KilnEvent> run(ReleaseTagged tagged, java.util.function.Consumer<ImageBuilt> announce) {
        BuildContext build = new BuildContext(tagged, config, tools);
        String logName = "build-" + tagged.release().commit().substring(0, 12);
        if (announce == null) {
            return run(build, steps.get(), logName, this::events);
        }
        build.handoff(file -> {
            Artifact artifact = StoreStep.store(store, build, file);
            // The early event links the log as it stands (everything up to this format being stored); the whole log
            // is stored at the end under the same name. Without a stored log it is sent with the rest at the end.
            String log = storeLogSoFar(build, logName, file.format());
            if (log != null) {
                announce.accept(imageBuilt(build, artifact, log));
            }
        });
        return run(build, steps.get(), logName, this::events);
    }

    /**
     * Rebuilds a released tag from scratch in a fresh workspace (nothing is stored but the log and the difference
     * report) and compares it with what was recorded.
     */
    ImageRebuilt rebuild(RebuildRequested request, List<BuildStep> rebuildSteps, String builder) {
        BuildContext build = new BuildContext(request, config, tools);
        return run(build, rebuildSteps, "rebuild-" + request.rebuildId(), (done, failedStage, reason) -> {
            if (failedStage != null) {
                List<ImageRebuilt.FormatDigests> digests = request.recorded().stream()
                        .map(a -> new ImageRebuilt.FormatDigests(a.format(), a.sha256(), null)).toList();
                return new ImageRebuilt(request.rebuildId(), request.release(), builder, ImageRebuilt.FAILED, digests, List.of(),
                        "the rebuild failed at " + failedStage + ": " + reason, done.buildLogLocation());
            }
            boolean identical = done.differences().isEmpty() && done.rebuiltDigests().stream().allMatch(ImageRebuilt.FormatDigests::identical);
            return new ImageRebuilt(request.rebuildId(), request.release(), builder, identical ? ImageRebuilt.BIT_IDENTICAL : ImageRebuilt.DIFFERS,
                    done.rebuiltDigests(), done.differences(), null, identical ? null : done.differenceReport());
        });
    }

    /** Turns a finished (or failed) build into what the service sends. */
    interface Outcome<T> {
        T of(BuildContext build, String failedStage, String reason);
    }

    private <T> T run(BuildContext build, List<BuildStep> steps, String logName, Outcome<T> outcome) {
        ReleaseTagged tagged = build.tagged();
        List<BuildStep> ran = new ArrayList<>();
        String failedStage = null;
        String reason = null;
        // The deadline interrupts this thread: a stage's tools are stopped (ToolProcess) and the stage fails.
        Deadline deadline = Deadline.start(config.deadline(), "kiln.builder.deadline");
        try {
        for (BuildStep step : steps) {
            ran.add(step);
            LOG.infof("%s %s: %s", tagged.release().image(), tagged.release().version(), step.name());
            build.log("== " + step.name());
            long began = System.nanoTime();
            try {
                step.run(build);
                // Each stage's length, where an operator (and ./kiln bench) reads where a build's time goes.
                build.log("== " + step.name() + " done in " + String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - began) / 1e9) + " s");
            } catch (BuildFailure e) {
                failedStage = step.name();
                reason = e.getMessage();
            } catch (InterruptedException e) {
                failedStage = step.name();
                if (deadline.passed()) {
                    reason = "the build " + deadline.reason();
                } else {
                    Thread.currentThread().interrupt();
                    reason = "the builder was stopped during the build; it will be built again when the event is redelivered";
                }
            } catch (Exception e) {
                failedStage = step.name();
                reason = deadline.passed() ? "the build " + deadline.reason() : describe(e);
            }
            if (failedStage == null && deadline.passed()) {
                failedStage = step.name();
                reason = "the build " + deadline.reason();
            }
            if (failedStage != null) {
                build.log("FAILED at " + failedStage + ": " + reason);
                LOG.errorf("%s %s failed at %s: %s", tagged.release().image(), tagged.release().version(), failedStage, reason);
                break;
            }
        }
        } finally {
            deadline.close();
        }
        storeLog(build, logName);
        T events = outcome.of(build, failedStage, reason);
        ListIterator<BuildStep> back = ran.listIterator(ran.size());
        while (back.hasPrevious()) {
            BuildStep step = back.previous();
            try {
                step.cleanup(build);
            } catch (RuntimeException e) {
                LOG.warnf("cleanup of %s failed: %s", step.name(), e.getMessage());
            }
        }
        return events;
    }

    private List<KilnEvent> events(BuildContext build, String failedStage, String reason) {
        List<String> formats = build.kilnFile() != null ? build.kilnFile().formats() : KilnFile.ALL_FORMATS;
        List<String> tail = build.buildLog() == null ? List.of() : build.buildLog().tail();
        List<KilnEvent> events = new ArrayList<>();
        for (String format : formats) {
            Artifact artifact = build.artifacts().get(format);
            if (artifact != null) {
                events.add(imageBuilt(build, artifact, build.buildLogLocation()));
            } else {
                String why = build.formatFailures().getOrDefault(format, reason);
                String convert = BuildStep.nameOf(ConvertStep.class);
                String stage = build.formatFailures().containsKey(format) ? convert : failedStage;
                events.add(new BuildFailed(build.release(), format, stage == null ? convert : stage,
                        why == null ? "the format was not made; see the build log" : why, tail, build.buildLogLocation()));
            }
        }
        return events;
    }

    private static ImageBuilt imageBuilt(BuildContext build, Artifact artifact, String buildLog) {
        KilnFile.Upstream upstream = build.kilnFile().upstream();
        Provenance provenance = new Provenance(build.release().commit(), build.release().tag(), upstream.url(),
                upstream.sha256(), build.tools(), build.tagged().sourceDateEpoch());
        return new ImageBuilt(build.release(), artifact, provenance, buildLog);
    }

    /** The build log as it stands, stored; null (and a warning) when it cannot be. */
    private String storeLogSoFar(BuildContext build, String logName, String format) {
        if (build.buildLog() == null) {
            return null;
        }
        try {
            java.nio.file.Path copy = build.buildLog().snapshot(build.workspace().resolve(logName + "." + format + ".log"));
            return store.put(logPath(build, logName), copy, Sha256.of(copy));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("could not store the build log of %s %s so far: %s", build.release().image(), build.release().version(), e.getMessage());
            return null;
        }
    }

    private static String logPath(BuildContext build, String logName) {
        return build.release().image() + "/" + build.release().version() + "/" + logName + ".log";
    }

    private void storeLog(BuildContext build, String logName) {
        if (build.buildLog() == null) {
            return;
        }
        try {
            build.buildLog().close();
            build.buildLogLocation(store.put(logPath(build, logName), build.buildLog().file(), Sha256.of(build.buildLog().file())));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("could not store the build log of %s %s: %s", build.release().image(), build.release().version(), e.getMessage());
        }
    }

    private static String describe(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && message.contains("No space left on device")) {
                return "the disk is full (" + message + "); free space where kiln.builder.workspaces or the artifact store are";
            }
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
