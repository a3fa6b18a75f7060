package dev.kiln.verifier;

import dev.kiln.events.EventCodec;
import dev.kiln.events.EventMessages;
import dev.kiln.events.Finding;
import dev.kiln.disk.Deadline;
import dev.kiln.disk.DirectoryClaim;
import dev.kiln.events.ImageBuilt;
import dev.kiln.events.TransientRetry;
import dev.kiln.events.ImageRejected;
import dev.kiln.events.ImageVerified;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.KilnFile;
import dev.kiln.events.VerificationSummary;
import dev.kiln.verifier.rules.Expectations;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The sealer-verifier's hop: ImageBuilt in, ImageVerified or ImageRejected out, with the report stored and linked.
 * Nothing is published that did not pass here. A payload that does not decode goes to the dead-letter topic.
 */
@ApplicationScoped
public class ImageVerifier {
    private static final Logger LOG = Logger.getLogger(ImageVerifier.class);

    private final VerifierConfig config;
    private final Verification verification;
    private final ArtifactSource artifacts;
    private final ReportStore reports;
    private final Emitter<String> events;
    private final MeterRegistry metrics;

    ImageVerifier(VerifierConfig config, ReportStore reports, @Channel("verification-results") Emitter<String> events, MeterRegistry metrics) {
        this.config = config;
        this.verification = new Verification(config.bootTimeout(), config.bootMarker(), config.boot(), config.accelerator(), config.operatorPolicy())
                .limitedTo(ImageLimits.of(config));
        this.artifacts = new ArtifactSource(config.s3());
        this.reports = reports;
        this.events = events;
        this.metrics = metrics;
    }

    /** At start-up, before any record: what a verifier killed mid-verification left. */
    void sweepOnStart(@Observes StartupEvent start) {
        sweepAbandoned(config);
    }

    // Two at a time by default (KILN_VERIFIER_CONCURRENCY): the formats of one release share one boot (Proofs), so
    // another format is decoded (niced) and inspected while it runs.
    @Incoming("image-built")
    @Blocking(value = "kiln-verifications", ordered = false)
    public void onImageBuilt(String payload) throws Exception {
        // A payload that does not decode is the event's fault: dead-lettered. A store, Git remote or broker that is away
        // is waited for: the record is retried, never skipped.
        ImageBuilt built = EventCodec.decode(ImageBuilt.class, payload);
        String what = "verification of " + built.release().image() + " " + built.release().version() + " " + built.format();
        VerificationReport report = TransientRetry.untilDone(what, () -> verify(built));
        TransientRetry.untilDone("saving the report of the " + what, () -> reports.save(report));
        String location = config.publicUrl() + "/api/v1/reports/" + report.image() + "/" + report.version() + "/" + report.format();
        KilnEvent result = report.verified()
                ? new ImageVerified(built.release(), built.format(), built.artifact().sha256(),
                        new VerificationSummary(location, List.copyOf(report.rulesChecked().keySet()), report.relaxed(), report.bootMillis()))
                : new ImageRejected(built.release(), built.format(), built.artifact().sha256(), location, report.findings());
        metrics.counter("kiln.verifier.images", "verdict", report.verdict(), "format", built.format()).increment();
        if (report.verified()) {
            LOG.infof("%s %s %s verified (boot %d ms, phases %s)", report.image(), report.version(), report.format(),
                    report.bootMillis(), report.phaseMillis());
        } else {
            LOG.errorf("%s %s %s REJECTED: %s", report.image(), report.version(), report.format(), report.findings());
        }
        // Acknowledged only when the result is on the broker: a crash before that verifies again.
        TransientRetry.untilDone("sending the result of the " + what,
                () -> EventMessages.send(events, result, URI.create(config.eventSource()), Clock.systemUTC()).join());
    }

    private VerificationReport verify(ImageBuilt built) throws IOException, InterruptedException {
        Files.createDirectories(config.workspaces());
        Path workspace = Files.createTempDirectory(config.workspaces(), built.release().image() + "-" + built.format() + "-");
        // Claimed while in use: a verifier starting after this one was killed sweeps it.
        DirectoryClaim claim = DirectoryClaim.claim(workspace);
        Deadline deadline = Deadline.start(config.deadline(), "kiln.verifier.deadline");
        try {
            KilnFile policy;
            Path artifact;
            try {
                policy = ImagePolicy.at(built.release(), workspace);
                artifact = artifacts.fetch(built.artifact().location(), workspace);
            } catch (Rejection e) {
                return rejected(built, new Finding(e.check(), e.path(), e.getMessage()));
            }
            Expectations expected = new Expectations(built.release().image(), built.release().version(), built.release().commit(),
                    policy.upstream().sshUsername());
            VerificationReport report = verification.verify(artifact, new Verification.Claim(built.format(), built.artifact().sha256(),
                    built.artifact().rawSha256(), expected, policy.verify()), workspace);
            return deadline.passed() ? rejected(built, overran(deadline)) : report;
        } catch (InterruptedException | IOException e) {
            if (deadline.passed()) {
                return rejected(built, overran(deadline));
            }
            throw e;
        } finally {
            deadline.close();
            Verification.clean(workspace);
            claim.close();
        }
    }

    private static Finding overran(Deadline deadline) {
        return new Finding("verification-deadline", "", "the verification " + deadline.reason() + "; what was not verified is not published");
    }

    /** A report that rejects the image for one reason found before (or instead of) the sealing checks. */
    private static VerificationReport rejected(ImageBuilt built, Finding finding) {
        return new VerificationReport(built.release().image(), built.release().version(), built.format(), built.release().commit(),
                built.artifact().sha256(), null, VerificationReport.REJECTED, List.of(finding), List.of(), java.util.Map.of(), java.util.Map.of(), 0);
    }

    /** Workspaces of verifications that ended with their verifier (killed): their claims are free. */
    private static void sweepAbandoned(VerifierConfig config) {
        try {
            List<Path> removed = DirectoryClaim.sweep(config.workspaces(), "");
            if (!removed.isEmpty()) {
                LOG.warnf("removed %d workspace(s) of verifications that ended with their verifier: %s", removed.size(), removed);
            }
        } catch (IOException e) {
            LOG.warnf("could not sweep abandoned workspaces: %s", e.getMessage());
        }
    }
}
