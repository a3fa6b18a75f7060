package dev.kiln.verifier;

import dev.kiln.events.Sha256;
import dev.kiln.events.Finding;
import dev.kiln.events.KilnFile;
import dev.kiln.verifier.rules.Expectations;
import dev.kiln.verifier.rules.SealingRule;
import dev.kiln.verifier.rules.SealingRules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks of one image file, in order: its digest, its decoding to raw (and the raw digest), every sealing rule
 * on its root file system, then the boot test. The service and the command line both run this; each phase is timed.
 */
public final class Verification {
    /** What the image is claimed to be; null digests are not checked (a local image checked by hand). */
    public record Claim(String format, String sha256, String rawSha256, Expectations expected, KilnFile.Verify policy) {
    }

    private final BootTest boot;
    private final boolean bootEnabled;
    private final OperatorPolicy operator;
    private final ImageLimits limits;
    private final BootProofs booted = new BootProofs();

    public Verification(java.time.Duration bootTimeout, String bootMarker, boolean bootEnabled,
                        VerifierConfig.Accelerator accelerator, OperatorPolicy operator) {
        this(new BootTest(bootTimeout, java.util.regex.Pattern.compile(bootMarker), accelerator), bootEnabled, operator, ImageLimits.defaults());
    }

    private Verification(BootTest boot, boolean bootEnabled, OperatorPolicy operator, ImageLimits limits) {
        this.boot = boot;
        this.bootEnabled = bootEnabled;
        this.operator = operator;
        this.limits = limits;
    }

    /** The same verification with other limits than {@link ImageLimits#defaults()}. */
    public Verification limitedTo(ImageLimits limits) {
        return new Verification(boot, bootEnabled, operator, limits);
    }

    public VerificationReport verify(Path artifact, Claim claim, Path workspace) throws IOException, InterruptedException {
        Map<String, Long> phases = new LinkedHashMap<>();
        Map<String, String> rulesChecked = new LinkedHashMap<>();
        List<Finding> findings = new ArrayList<>();
        List<Finding> relaxed = new ArrayList<>();
        String sha256 = null;
        String rawSha256 = null;
        long bootMillis = 0;
        Expectations expected = claim.expected();
        Files.createDirectories(workspace);
        try {
            long t = System.nanoTime();
            sha256 = Sha256.of(artifact);
            if (claim.sha256() != null && !claim.sha256().equals(sha256)) {
                throw new Rejection("artifact", "", "the file's sha256 is " + sha256 + " but the event says " + claim.sha256()
                        + "; it changed or was damaged after it was built");
            }
            phases.put("digest", millisSince(t));

            t = System.nanoTime();
            DecodedImage decoded;
            try {
                decoded = DecodedImage.decode(artifact, claim.format(), workspace, limits);
            } catch (RuntimeException onThisImage) {
                // What the file holds broke the reading of it: a refusal, never a retry that would fail again.
                throw new Rejection("decode", "", "the " + claim.format() + " file could not be read (" + describe(onThisImage) + ")");
            }
            // A raw artifact is its own decoded disk: its digest, just taken, is the disk's.
            rawSha256 = decoded.raw().equals(artifact) ? sha256 : Sha256.of(decoded.raw());
            if (claim.rawSha256() != null && !claim.rawSha256().equals(rawSha256)) {
                throw new Rejection("decode", "", "the decoded disk's sha256 is " + rawSha256 + " but the release's disk is "
                        + claim.rawSha256() + ": this " + claim.format() + " does not carry the same disk as its sibling formats");
            }
            phases.put("decode", millisSince(t));

            t = System.nanoTime();
            List<SealingRule> rules = SealingRules.all();
            findings.addAll(operator.refused(claim.policy(), rules.stream().map(SealingRule::id).toList()));
            try (DiskImage image = DiskImage.open(decoded.raw(), workspace.resolve("fs"))) {
                rulesChecked.put(DiskImage.RULE, "Every file system the image mounts is inspected; one kiln cannot read (LVM, LUKS, "
                        + "XFS, btrfs) would ship unchecked, so it is refused unless the operator allows it.");
                for (Finding finding : image.uninspectable()) {
                    (operator.allowUninspectable() ? relaxed : findings).add(operator.allowUninspectable()
                            ? new Finding(finding.rule(), finding.path(), finding.message() + " (allowed by kiln.verifier.allow-uninspectable)")
                            : finding);
                }
                ImageTree tree = image.tree();
                tree.drainProblems();
                for (SealingRule rule : rules) {
                    rulesChecked.put(rule.id(), rule.why());
                    List<Finding> found = new ArrayList<>();
                    try {
                        found.addAll(rule.check(tree, expected));
                    } catch (RuntimeException onThisImage) {
                        // The image's content made the rule fail: that image is not shown clean. Retrying would only fail again.
                        found.add(new Finding(rule.id(), "", "cannot be inspected: the rule failed on what the image holds ("
                                + describe(onThisImage) + ")"));
                    }
                    // A path the rule reads that leads out of the image, or in a loop, is not a pass.
                    for (ImageTree.Problem problem : tree.drainProblems()) {
                        found.add(new Finding(rule.id(), problem.path(), "cannot be inspected: " + problem.message()));
                    }
                    for (Finding finding : found) {
                        String reason = operator.mayRelax(rule.id()) ? claim.policy().reasonFor(rule.id()).orElse(null) : null;
                        if (reason == null) {
                            findings.add(finding);
                        } else {
                            relaxed.add(new Finding(finding.rule(), finding.path(), finding.message() + " (relaxed by kiln.yaml: " + reason + ")"));
                        }
                    }
                }
            }
            phases.put("inspect", millisSince(t));

            if (bootEnabled && findings.isEmpty()) {
                t = System.nanoTime();
                DecodedImage disk = decoded;
                BootProofs.Outcome boot = booted.bootOnce(rawSha256, claim.format(), () -> this.boot.boot(disk.boot(), disk.bootFormat(), workspace));
                BootProofs.Proof proof = boot.proof();
                bootMillis = proof.bootMillis();
                if (boot.bootedHere()) {
                    rulesChecked.put("boot", BOOT_WHY);
                    phases.put("boot", millisSince(t));
                } else {
                    rulesChecked.put("boot", BOOT_WHY + " This disk (decoded sha256 " + rawSha256 + ") booted as " + proof.format()
                            + " at " + proof.at() + " in " + proof.bootMillis() + " ms; QEMU reads this " + claim.format()
                            + " through the driver that decoded it to those same bytes, so it was not booted again.");
                    phases.put("boot-wait", millisSince(t));
                }
            }
        } catch (Rejection e) {
            findings.add(new Finding(e.check(), e.path(), e.getMessage()));
        }
        String verdict = findings.isEmpty() ? VerificationReport.VERIFIED : VerificationReport.REJECTED;
        return new VerificationReport(expected.image(), expected.version(), claim.format(), expected.commit(), sha256, rawSha256,
                verdict, findings, relaxed, rulesChecked, phases, bootMillis);
    }

    private static final String BOOT_WHY = "An image that does not boot from its own disk is no image; the boot marker proves it came up.";

    private static String describe(RuntimeException failure) {
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    static void clean(Path workspace) {
        try {
            dev.kiln.disk.Trees.delete(workspace);
        } catch (IOException e) {
            org.jboss.logging.Logger.getLogger(Verification.class).warnf("could not remove %s: %s", workspace, e.getMessage());
        }
    }

}
